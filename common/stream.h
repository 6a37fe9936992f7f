/* stream.h - the framed membench stream: header, frames, reader and writer (doc/stream.md). */
#ifndef MB_STREAM_H
#define MB_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <signal.h>

#include "err.h"
#include "event.h"
#include "header_meta.h"

#define MB_STREAM_MAGIC "MBSTREAM"   /* 8 bytes at offset 0 of every stream */
#define MB_STREAM_VERSION 2           /* written; readers accept MB_STREAM_VERSION_MIN.. */
#define MB_STREAM_VERSION_MIN 1
#define MB_FRAME_HDR 8               /* u16 type, u16 flags, u32 payload length */
#define MB_FRAME_MAX (1u << 20)      /* largest payload a reader accepts */
#define MB_EVENT_FIXED 44            /* event payload bytes before the key */
#define MB_PACKET_FIXED 24           /* packet payload bytes before the data */
#define MB_PACKET_MAX 262144         /* largest caplen in a packet frame */
#define MB_SUMMARY_MAX 128           /* counters in one summary frame */
#define MB_SUMMARY_NAME_MAX 47

/* Kind of stream, from its header. */
enum mb_kind {
	MB_KIND_NONE = 0,
	MB_KIND_PACKETS = 1,       /* raw packets from mb-capture */
	MB_KIND_EVENTS_RAW = 2,    /* events with raw key bytes (mb-parse) */
	MB_KIND_EVENTS_HASHED = 3, /* events with 64-bit key hashes (mb-anon) */
	MB_KIND_COUNT
};

/* Frame types. 0x424d ("MB") is never a frame type: it starts a (concatenated) header. */
enum mb_frame_type {
	MB_FRAME_PACKET = 1,
	MB_FRAME_EVENT = 2,
	MB_FRAME_SUMMARY = 3,
	MB_FRAME_SEGMENT = 4, /* reserved for kernel-side capture (doc/stream.md) */
	MB_FRAME_SERVER = 5,  /* a recorded server's number and address (events streams) */
	MB_FRAME_HEADER_MARK = 0x424d,
};

/* One frame as read: payload valid until the next reader call. */
struct mb_frame {
	uint16_t type;
	uint16_t flags;
	uint32_t len;
	const uint8_t *payload;
	uint64_t offset; /* byte offset of the frame header in the input */
};

/* One captured packet (frame type PACKET). */
struct mb_packet {
	uint64_t ts_ns;
	uint32_t caplen;   /* bytes present in data */
	uint32_t wirelen;  /* bytes on the wire */
	uint32_t linktype; /* pcap LINKTYPE_* value */
	uint32_t elided;   /* payload bytes deliberately left out at the end (value bodies) */
	const uint8_t *data;
};

/* End-of-stream summary of one stage (frame type SUMMARY): named counters. */
struct mb_summary {
	char program[MB_SUMMARY_NAME_MAX + 1];
	unsigned n;
	struct {
		char name[MB_SUMMARY_NAME_MAX + 1];
		uint64_t val;
	} c[MB_SUMMARY_MAX];
};

/* ---- kinds (header metadata: header_meta.h) ---- */

/* Name of a kind ("packets", "events-raw", "events-hashed"), "?" otherwise. */
const char *mb_kind_name(unsigned kind);
/* Inverse of mb_kind_name, or -1. */
int mb_kind_parse(const char *s);

/* ---- summaries ---- */

void mb_summary_init(struct mb_summary *s, const char *program);
/* Add val to counter `name`, creating it; silently drops counters past MB_SUMMARY_MAX. */
void mb_summary_add(struct mb_summary *s, const char *name, uint64_t val);
/* Value of counter `name`, 0 when absent. */
uint64_t mb_summary_get(const struct mb_summary *s, const char *name);

/* ---- decoding frames ---- */

/* Decode an EVENT payload of a stream of `kind`; MB_ERR with a field name on bad layout. */
int mb_event_decode(const uint8_t *p, uint32_t len, unsigned kind, struct mb_event *ev, struct mb_err *err);
/* Decode a PACKET payload. */
int mb_packet_decode(const uint8_t *p, uint32_t len, struct mb_packet *pkt, struct mb_err *err);
/* Largest SUMMARY payload. */
#define MB_SUMMARY_BYTES_MAX (1 + MB_SUMMARY_NAME_MAX + 2 + MB_SUMMARY_MAX * (1 + MB_SUMMARY_NAME_MAX + 8))
/* Encode a summary as a SUMMARY payload into p (room for MB_SUMMARY_BYTES_MAX); returns its length. */
size_t mb_summary_encode(const struct mb_summary *s, uint8_t *p);
/* Decode a SUMMARY payload. */
int mb_summary_decode(const uint8_t *p, uint32_t len, struct mb_summary *s, struct mb_err *err);

/* ---- recorded servers (SERVER frames, doc/stream.md) ---- */

#define MB_SERVER_LEN 24 /* SERVER payload bytes */

/* A server the recording talked to: its number (the events' extension field `server`). */
struct mb_server {
	uint16_t number;
	uint16_t port;
	uint8_t family;   /* 4 or 6 */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, the rest 0 */
};

/* Encode a SERVER payload (MB_SERVER_LEN bytes) into p. */
void mb_server_encode(uint8_t *p, const struct mb_server *s);
/* Decode a SERVER payload; MB_ERR naming the field on a bad layout. */
int mb_server_decode(const uint8_t *p, uint32_t len, struct mb_server *s, struct mb_err *err);
/* "addr:port" or "[v6addr]:port" into buf (at least 48 bytes). */
void mb_server_name(const struct mb_server *s, char *buf, size_t n);
/*
 * The reverse of mb_server_name: "a.b.c.d:port" or "[v6addr]:port" (n bytes, no NUL needed)
 * into s's family, addr and port; s->number is left as it is. NULL on success, else the
 * name of the bad part, "address" or "port" (0-65535), and s is unchanged.
 */
const char *mb_server_parse(const char *str, size_t n, struct mb_server *s);
/* Whether a and b are the same server: family, address and port (numbers aside). */
bool mb_server_same(const struct mb_server *a, const struct mb_server *b);
/* A 64-bit hash of a server's family, address and port (its number left out). */
uint64_t mb_server_hash(const struct mb_server *s);

/* ---- the event extension (request semantics, doc/stream.md) ---- */

#define MB_SEM_EXT_MAX 58 /* largest extension this version writes: u8 length, u16 has, fields */

/* Bytes the body of sem's extension takes (has and fields, without the length byte); 0 when empty. */
size_t mb_sem_body_size(const struct mb_sem *sem);
/* Encode the body (mb_sem_body_size bytes) into p; returns its length. */
size_t mb_sem_body_encode(uint8_t *p, const struct mb_sem *sem);
/*
 * Decode an extension body of n bytes: the fields whose bits this version knows, in
 * bit order; bytes after them (fields of later versions) are skipped. MB_ERR names the
 * field that does not fit. n == 0 gives an empty sem.
 */
int mb_sem_body_decode(const uint8_t *p, size_t n, struct mb_sem *sem, struct mb_err *err);

/* Bytes an event payload takes in a stream of `kind`. */
static inline uint32_t mb_event_payload_len(const struct mb_event *ev, unsigned kind)
{
	size_t ext = mb_sem_body_size(&ev->sem);
	return MB_EVENT_FIXED + (kind == MB_KIND_EVENTS_HASHED ? 8u : ev->key_len) + (ext ? 1u + (uint32_t)ext : 0u);
}
/* Encode ev into p (room for mb_event_payload_len bytes). */
void mb_event_encode(uint8_t *p, const struct mb_event *ev, unsigned kind);

/*
 * The one frame validator every reader and writer applies, so no program writes a
 * frame another refuses. In a stream of `kind`: an EVENT (events kinds) must
 * decode (mb_event_decode: length, key_len), a PACKET (packets kind) must decode
 * (caplen), a SUMMARY (any kind) must decode (names, count, length). Other frame
 * types, and a type foreign to the kind, are opaque and pass. MB_OK, or MB_ERR with
 * err naming the field (no location).
 */
int mb_frame_check(unsigned kind, uint16_t type, const uint8_t *payload, uint32_t len, struct mb_err *err);

/* ---- input detection (common/input.c) ---- */

/* What some leading bytes look like. */
enum mb_input_type {
	MB_INPUT_EMPTY,
	MB_INPUT_STREAM,
	MB_INPUT_PROFILE,
	MB_INPUT_PCAP,
	MB_INPUT_PCAPNG,
	MB_INPUT_ZSTD,
	MB_INPUT_GZIP,
	MB_INPUT_TEXT,
	MB_INPUT_UNKNOWN,
};
#define MB_PROFILE_MAGIC "MBPROFIL"  /* 8 bytes at offset 0 of a profile (doc/profile.md) */

/* Classify the first n bytes of an input (n >= 8 for a sure answer). */
enum mb_input_type mb_input_sniff(const uint8_t *p, size_t n);
/* Human words for an input type: "a pcap capture", "a membench profile", ... */
const char *mb_input_describe(enum mb_input_type t);

/* ---- reader: buffer and stream frames in common/stream.c; attach, begin, next and close in common/input.c, which dispatches to a profile's decoder ---- */

struct mb_profile_reader; /* common/profile.c */

/*
 * Buffered frame reader over a file descriptor. It reads the header on open,
 * validates every frame header (type != 0, length <= MB_FRAME_MAX) before use and
 * every frame with mb_frame_check, and swallows identical-kind headers of
 * concatenated streams. A profile input is decoded transparently into event frames.
 *
 * Options a caller sets after mb_reader_open (or mb_reader_attach):
 *   stop            when *stop is set (SIGINT/SIGTERM), the reader reads no more:
 *                   the input ends cleanly at the last complete frame (MB_END),
 *                   and r->stopped says so; a frame cut by the stop is not an error.
 *   allow_truncated a profile cut short (no end block, partial block) ends with a
 *                   warning and MB_END; by default it is an error (MB_ERR), so a
 *                   reader never takes half a profile for a whole one (--allow-truncated).
 */
struct mb_reader {
	int fd;
	const char *name;     /* for messages: file name or "<stdin>" */
	uint8_t *buf;
	size_t cap, start, end;
	uint64_t base;        /* input offset of buf[0] */
	bool eof;
	struct mb_stream_info info;
	uint64_t frames;
	uint64_t headers;     /* headers seen (more than 1 when concatenated) */
	struct mb_profile_reader *profile; /* set when the input is a profile */
	enum mb_input_type input;          /* what the first bytes looked like */
	volatile sig_atomic_t *stop;       /* option: when set and *stop, the input ends (see above) */
	bool allow_truncated;              /* option: a profile cut short is a warning, not an error */
	bool stopped;                      /* the input ended because *stop was set */
};

/*
 * Attach a reader to fd and read the first bytes to classify them (r->input).
 * Nothing is consumed: a caller may then read another format (pcap) through
 * mb_reader_fill/peek/consume, or call mb_reader_begin.
 */
int mb_reader_attach(struct mb_reader *r, int fd, const char *name, struct mb_err *err);
/* Read the stream (or profile) header of an attached reader; `want` as for mb_reader_open. */
int mb_reader_begin(struct mb_reader *r, unsigned want, struct mb_err *err);
/* Make at least n (<= buffer size) bytes available; returns how many are (fewer only at end of input), -1 on read error. */
long mb_reader_fill(struct mb_reader *r, size_t n, struct mb_err *err);
/* The available bytes (after mb_reader_fill). */
static inline const uint8_t *mb_reader_peek(const struct mb_reader *r) { return r->buf + r->start; }
/* Consume n available bytes. */
static inline void mb_reader_consume(struct mb_reader *r, size_t n) { r->start += n; }

/*
 * Open a reader on fd and read the stream header. `want` is a bit set of
 * (1u << MB_KIND_*) the caller accepts (0 = any). On a wrong input type or kind
 * err says what the input is and what to run instead. Returns MB_OK, MB_END
 * (empty input, err filled), MB_ERR or MB_EIO.
 */
int mb_reader_open(struct mb_reader *r, int fd, const char *name, unsigned want, struct mb_err *err);
/*
 * For readers of other formats over mb_reader (profiles, pcap): a truncation found
 * at the end of the input is rc (err already filled), or a clean MB_END (err says
 * "stopped") when the input ended because of a stop request.
 */
int mb_reader_cut(const struct mb_reader *r, int rc, struct mb_err *err);
/*
 * Next frame, checked with mb_frame_check: MB_OK, MB_END at a clean end (also when
 * stopped, even inside a frame), MB_ERR (truncated or bad frame, err has the offset)
 * or MB_EIO.
 */
int mb_reader_next(struct mb_reader *r, struct mb_frame *f, struct mb_err *err);
/*
 * The stream layer under mb_reader_begin/next (common/input.c dispatches): read a stream
 * header at the reader's position into info (consumed), and the next frame of a stream.
 */
int mb_stream_read_header(struct mb_reader *r, struct mb_stream_info *info, struct mb_err *err);
int mb_stream_next(struct mb_reader *r, struct mb_frame *f, struct mb_err *err);
/* A frame that failed mb_frame_check (err holds why): MB_ERR with the input name and the frame's offset. */
int mb_frame_bad(const struct mb_reader *r, const struct mb_frame *f, struct mb_err *err);
/* Input bytes consumed so far (offset of the next frame). */
uint64_t mb_reader_offset(const struct mb_reader *r);
/* Release buffers (does not close fd). */
void mb_reader_close(struct mb_reader *r);

/* ---- writer ---- */

/*
 * Buffered frame writer; frames are written whole, so a stop between writes leaves
 * a valid stream. The first output failure sticks: rc keeps it (MB_EPIPE when the
 * reader went away, MB_EIO for any other write error, e.g. ENOSPC, EIO, EBADF),
 * every later call returns it and copies its message into err, and nothing more is
 * written.
 */
struct mb_writer {
	int fd;
	const char *name;  /* for messages: "stdout" for fd 1, else "output"; a caller may set a file name */
	uint8_t *buf;
	size_t len, cap;
	uint64_t written;  /* bytes handed to write(2) so far */
	uint64_t frames;
	unsigned kind;
	int rc;            /* MB_OK, or the first failure (MB_EPIPE, MB_EIO) */
	struct mb_err fail; /* the message of that failure */
};

/* Set up a writer on fd with a 1 MiB buffer. */
int mb_writer_init(struct mb_writer *w, int fd, struct mb_err *err);
/* Write the stream header (also sets the writer's kind). */
int mb_writer_header(struct mb_writer *w, const struct mb_stream_info *info, struct mb_err *err);
/* Write one frame of any type, e.g. to pass through an unknown frame unchanged; a known frame type is checked first (mb_frame_check: MB_ERR). */
int mb_writer_frame(struct mb_writer *w, uint16_t type, uint16_t flags, const void *payload, uint32_t len, struct mb_err *err);
/* Write an event in the writer's kind. */
int mb_writer_event(struct mb_writer *w, const struct mb_event *ev, struct mb_err *err);
/* Write a packet frame. */
int mb_writer_packet(struct mb_writer *w, const struct mb_packet *pkt, struct mb_err *err);
/* Write a summary frame. */
int mb_writer_summary(struct mb_writer *w, const struct mb_summary *s, struct mb_err *err);
/* Flush buffered bytes to fd: MB_OK, MB_EPIPE or MB_EIO. */
int mb_writer_flush(struct mb_writer *w, struct mb_err *err);
/* Flush and free the buffer. */
int mb_writer_close(struct mb_writer *w, struct mb_err *err);

/*
 * Reserve n bytes of output (n <= MB_FRAME_HDR + MB_FRAME_MAX) for a frame the
 * caller builds in place, then mb_writer_commit(w, n). NULL on output failure
 * (w->rc says which, err has the message).
 */
uint8_t *mb_writer_reserve(struct mb_writer *w, size_t n, struct mb_err *err);
static inline void mb_writer_commit(struct mb_writer *w, size_t n) { w->len += n; w->frames++; }

#endif
