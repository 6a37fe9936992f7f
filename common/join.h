/* join.h - the numbers of connections and servers when several recordings are joined into one output (mb-pack -m, mb-cat -b). */
#ifndef MB_JOIN_H
#define MB_JOIN_H

#include <stdbool.h>
#include <stdint.h>

#include "connmap.h"
#include "err.h"
#include "event.h"
#include "stream.h"

/*
 * Connection and server numbers belong to a recording: connection 5 of one capture and
 * connection 5 of another are two clients, and each capture numbers the servers it saw
 * from 0, so server 0 of one and server 0 of another may be two machines. In a joined
 * output, connections are numbered 1, 2, 3 ... in order of first appearance in the output,
 * per input; servers are numbered 0, 1, 2 ... by address in order of first appearance (a
 * server two inputs saw is one), each address with one SERVER frame. An input's server
 * without a SERVER frame keeps its number.
 */
#define MB_JOIN_SERVER_SLOTS (2u << 16) /* hash slots: twice the most servers */

/* The output's numbering. */
struct mb_join {
	uint32_t next_conn; /* the next connection number */
	uint32_t nservers;
	struct mb_server list[UINT16_MAX + 1];
	uint32_t slot[MB_JOIN_SERVER_SLOTS]; /* by address hash, open addressing: 1 + index in list (0: free) */
};

/* One input's numbers in the output. Zero-initialised is empty. */
struct mb_join_input {
	struct mb_connmap conns; /* the input's connection number -> the output's */
	uint32_t *servers;       /* the input's server number -> 1 + the output's (0: not declared) */
	uint32_t nservers;
};

/* A new, empty numbering (about 0.5 MiB); NULL without memory. */
struct mb_join *mb_join_new(void);
/* Free j (NULL is fine). */
void mb_join_free(struct mb_join *j);
/* Free what input in holds; it is empty again. */
void mb_join_input_free(struct mb_join_input *in);

/*
 * Event ev of input in (named `name`): its connection and server as the output numbers
 * them. MB_OK; MB_ERR when the connection numbers run out; MB_EIO without memory.
 */
int mb_join_event(struct mb_join *j, struct mb_join_input *in, struct mb_event *ev, const char *name, struct mb_err *err);
/*
 * A SERVER frame f of input in: the input's number for it is mapped to the output's. *fresh
 * says whether the output had not declared that address before; then `payload` holds the
 * SERVER frame payload that declares it, for the caller to write. MB_OK; MB_ERR for a frame
 * that does not decode or more than 65,536 servers, naming the input and offset; MB_EIO
 * without memory.
 */
int mb_join_server(struct mb_join *j, struct mb_join_input *in, const struct mb_frame *f, const char *name,
		   uint8_t payload[MB_SERVER_LEN], bool *fresh, struct mb_err *err);

#endif
