/* concat.h - several event streams into one: each input keeps its connections and servers apart. */
#ifndef MB_CONCAT_H
#define MB_CONCAT_H

#include <stdint.h>

#include "connmap.h"
#include "err.h"
#include "stream.h"

/*
 * Connection numbers and server numbers are per recording: connection 0 of one capture and
 * connection 0 of another are different clients, server 0 of each may be different
 * addresses. The first input is copied byte for byte, numbers and all. Each later
 * input's connections are numbered, in order of first appearance, after the highest number
 * written so far (past 2^32 - 1, from the lowest free ones); its servers are mapped by
 * address onto the output's (the same address keeps one number, a new one takes the
 * lowest free number).
 */
struct mb_concat {
	unsigned inputs;           /* inputs begun */
	struct mb_connmap used;    /* the output's connection numbers */
	struct mb_connmap cur;     /* this input's connection number -> the output's (later inputs) */
	uint64_t next;             /* the next number to try: one past the highest so far */
	bool wrapped;              /* next passed 2^32 - 1 and started again from 0 */
	struct mb_server *servers; /* the output's servers (number and address) */
	uint32_t nservers, capservers;
	uint64_t used_servers[65536 / 64]; /* the output's server numbers, a bit each */
	uint32_t next_server;      /* no free server number below it (later inputs) */
	uint32_t *map; /* this input's server number -> output number + 1 (0: not declared) */
};

/* An empty joiner (no memory taken yet). */
void mb_concat_init(struct mb_concat *c);
/* Start the next input. */
void mb_concat_input(struct mb_concat *c);
/* Write frame f of an input of `kind` to w, renumbered (EVENT, SERVER) or as is (others).
   MB_OK; MB_ERR (err filled with name and the frame's offset) when the frame does not
   decode or all 2^32 connection numbers are taken; MB_EIO without memory; a writer's error
   as mb_writer_frame returns it. */
int mb_concat_frame(struct mb_concat *c, struct mb_writer *w, unsigned kind, const struct mb_frame *f, const char *name,
		    struct mb_err *err);
/* Free what c holds. */
void mb_concat_free(struct mb_concat *c);

#endif
