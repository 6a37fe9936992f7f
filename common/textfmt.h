/* textfmt.h - the tab-separated text form of stream frames (mb-cat), both directions. */
#ifndef MB_TEXTFMT_H
#define MB_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "err.h"
#include "stream.h"

/* Longest line mb_text_frame writes (a frame of MB_FRAME_MAX bytes in hex), and so the longest mb-cat -p reads. */
#define MB_TEXT_LINE_MAX (2u * MB_FRAME_MAX + 64)

/* Append the text line (with '\n') of a stream header. */
int mb_text_header(struct mb_buf *b, const struct mb_stream_info *info);
/* Append the "#fields" line naming the columns of a kind's frames. */
int mb_text_fields(struct mb_buf *b, unsigned kind);
/* Append the text line of one frame of a stream of `kind`; MB_ERR if a known frame is malformed. */
int mb_text_frame(struct mb_buf *b, unsigned kind, const struct mb_frame *f, struct mb_err *err);

/* Escape arbitrary bytes: printable ASCII (0x21-0x7e) as is, backslash as \\, the rest \xNN. */
int mb_text_escape(struct mb_buf *b, const uint8_t *s, size_t n);
/* Unescape in place-independent form into out (room for n bytes); returns length or -1. */
long mb_text_unescape(const char *s, size_t n, uint8_t *out);

/* What a parsed text line was. */
enum mb_text_line {
	MB_TL_SKIP,   /* comment or blank */
	MB_TL_HEADER, /* "#membench": info filled */
	MB_TL_FRAME,  /* a frame: type/flags/payload filled */
};

/*
 * Parse one line (without '\n') in a stream of `kind` (MB_KIND_NONE when no
 * header was seen: the kind is then inferred from the line and stored in *kind).
 * For frames, the binary payload is written to `payload` (room for
 * MB_FRAME_MAX bytes) and its length to *len. err names the bad field.
 */
int mb_text_parse(const char *line, size_t n, unsigned *kind, struct mb_stream_info *info, uint16_t *type,
		  uint16_t *flags, uint8_t *payload, uint32_t *len, enum mb_text_line *what, struct mb_err *err);

#endif
