/* profile.h - the membench profile: a hashed event stream in checksummed, column-encoded zstd blocks (doc/profile.md). */
#ifndef MB_PROFILE_H
#define MB_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "crc32c.h"
#include "err.h"
#include "stream.h"

#define MB_PROFILE_VERSION 4     /* written; versions 2 and 3 are still read (doc/profile.md, "Versions") */
#define MB_PROFILE_VERSION_MIN 2
#define MB_PROFILE_HDR_FIXED 20        /* magic, version, kind, flags, meta_len */
#define MB_PROFILE_BLOCK_HDR 28        /* block header bytes (doc/profile.md) */
#define MB_PROFILE_BLOCK_EVENTS 65536  /* most events in one block */
#define MB_PROFILE_BLOCK_TARGET (2u << 20)   /* a block is closed once its worst-case column bytes reach this */
#define MB_PROFILE_DECODED_MAX (3u << 20)    /* largest decoded block a reader accepts */
#define MB_PROFILE_STORED_MAX (7u << 19)     /* largest stored block a reader accepts (fits mb_reader's buffer) */
#define MB_PROFILE_DICT_MAX (1u << 22)       /* key dictionary entries before a reset */
#define MB_PROFILE_ARENA_MAX (256u << 20)    /* raw-key bytes in the dictionary before a reset */
#define MB_PROFILE_LEVEL_DEFAULT 3           /* zstd level (6: 1-2% smaller on captures, about a third more CPU) */

#define MB_PROFILE_F_RAW_KEYS 1u  /* header flag: keys are raw bytes (mb-pack --raw-keys) */

/* Block types. */
enum mb_profile_block {
	MB_PB_EVENTS = 1, /* column-encoded events */
	MB_PB_FRAMES = 2, /* non-event frames of the input (summaries), verbatim */
	MB_PB_END = 3,    /* the profile's own summary; the last block */
};
#define MB_PB_F_DICT_RESET 1u /* block flag: the key dictionary starts empty at this block */

/* ---- writer (common/profile_write.c) ---- */

struct mb_profile_writer;

/*
 * Start a profile on fd: writes the header carrying info's metadata. raw_keys
 * selects raw-key dictionary entries (info->kind must then be events-raw, else
 * events-hashed). level is the zstd level. MB_OK, MB_EPIPE, MB_EIO or MB_ERR.
 */
int mb_profile_writer_open(struct mb_profile_writer **pw, int fd, const struct mb_stream_info *info, bool raw_keys,
			   int level, struct mb_err *err);
/* Add one event (frame_flags: the event frame's flags field, normally 0). */
int mb_profile_write_event(struct mb_profile_writer *pw, const struct mb_event *ev, uint16_t frame_flags,
			   struct mb_err *err);
/* Add a non-event frame (a summary): stored verbatim, in order with the events. */
int mb_profile_write_frame(struct mb_profile_writer *pw, uint16_t type, uint16_t flags, const uint8_t *payload,
			   uint32_t len, struct mb_err *err);
/* Write the last events block and the end block; then free. The writer is freed even on error. */
int mb_profile_writer_close(struct mb_profile_writer *pw, struct mb_err *err);
/* Free without finishing (after an output error): the profile is left cut short. */
void mb_profile_writer_free(struct mb_profile_writer *pw);
/* Close blocks after n events (1..MB_PROFILE_BLOCK_EVENTS, clamped) instead of the default maximum. */
void mb_profile_writer_set_block_events(struct mb_profile_writer *pw, uint32_t n);
/*
 * Empty the key dictionary at the block boundary where the next block could take it past
 * n entries (block_events <= n <= MB_PROFILE_DICT_MAX; set block events first), bounding
 * every reader's memory. MB_ERR when out of range.
 */
int mb_profile_writer_set_dict_max(struct mb_profile_writer *pw, uint32_t n, struct mb_err *err);

/* ---- reader (common/profile_read.c; input.c dispatches MB_INPUT_PROFILE inputs to it) ---- */

/*
 * Read a profile header from an attached reader (r->input == MB_INPUT_PROFILE),
 * fill r->info (kind events-hashed, or events-raw for a raw-key profile) and
 * set r->profile. A raw-key profile is announced with a warning on stderr.
 */
int mb_profile_open(struct mb_reader *r, struct mb_err *err);
/*
 * Next decoded frame: events as event frames of r->info.kind, the input's
 * summaries, and last the profile's own summary (program "mb-pack"). MB_END
 * at the end block; also MB_END, after a warning on stderr, when the profile
 * is cut short (the events of every complete block were returned). MB_ERR
 * with the byte offset for a corrupt block.
 */
int mb_profile_next(struct mb_reader *r, struct mb_frame *f, struct mb_err *err);
/* Release what mb_profile_open allocated. */
void mb_profile_close(struct mb_profile_reader *pr);

#endif
