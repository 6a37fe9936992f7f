/* concat.h - several event streams into one: each input keeps its connections and servers apart. */
#ifndef MB_CONCAT_H
#define MB_CONCAT_H

#include <stdint.h>

#include "err.h"
#include "stream.h"

/*
 * Connection numbers and server numbers are per recording: connection 0 of one capture and
 * connection 0 of another are different clients, server 0 of each may be different
 * addresses. Joining the events of several inputs renumbers each input's connections after
 * the highest one written so far, and maps its servers by address onto the output's (the
 * same address keeps one number, a new one takes the next). An event whose numbers do not
 * change (the first input's) is copied byte for byte.
 */
struct mb_concat {
	uint64_t conn_base; /* added to this input's connection numbers */
	uint64_t conn_next; /* one past the highest connection number written */
	struct mb_server *servers; /* the output's servers, by number */
	uint32_t nservers, capservers;
	uint32_t *map; /* this input's server number -> output number + 1 (0: not declared) */
};

/* An empty joiner (no memory taken yet). */
void mb_concat_init(struct mb_concat *c);
/* Start the next input: its connections go after those written so far. */
void mb_concat_input(struct mb_concat *c);
/* Write frame f of an input of `kind` to w, renumbered (EVENT, SERVER) or as is (others).
   MB_OK; MB_ERR (err filled with name and the frame's offset) when the numbers run out or
   the frame does not decode; a writer's error as mb_writer_frame returns it. */
int mb_concat_frame(struct mb_concat *c, struct mb_writer *w, unsigned kind, const struct mb_frame *f, const char *name,
		    struct mb_err *err);
/* Free what c holds. */
void mb_concat_free(struct mb_concat *c);

#endif
