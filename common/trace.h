/* trace.h - published cache-trace formats (twitter, cachelib, oracle) to and from events (doc/traces.md). */
#ifndef MB_TRACE_H
#define MB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anon.h"
#include "err.h"
#include "event.h"
#include "stream.h"
#include "zio.h"

/* Trace formats (mb-cat --from / --to). */
enum mb_trace_fmt {
	MB_TRACE_NONE = 0,
	MB_TRACE_TWITTER = 1,  /* twitter/cache-trace CSV, no header */
	MB_TRACE_CACHELIB = 2, /* CacheLib kvcache CSV with a header row */
	MB_TRACE_ORACLE = 3,   /* libCacheSim oracleGeneral, 24-byte little-endian records */
	MB_TRACE_COUNT
};

#define MB_TRACE_OPCOUNT_MAX 1000000u /* largest cachelib op_count one row may expand to */
#define MB_TRACE_FIELDS_MAX 32        /* CSV fields per row */
#define MB_ORACLE_RECORD 24           /* bytes per oracleGeneral record */
#define MB_ORACLE_KEY_LEN 16          /* key_len given to oracle events (the id as 16 hex digits) */

/* The format of a name ("twitter", "cachelib", "oracle"), or -1. */
int mb_trace_fmt_parse(const char *s);
/* The name of a format, "?" when out of range. */
const char *mb_trace_fmt_name(unsigned fmt);
/* True when the format carries string keys that may need the anonymization secret. */
bool mb_trace_fmt_has_string_keys(unsigned fmt);

/*
 * The 64-bit id of a trace key: exactly 16 hex digits are read as the number they
 * spell (membench's own export form; CacheLib publishes hashed keys this way);
 * any other key is hashed with a (mb_anon_hash). *hashed tells which.
 */
uint64_t mb_trace_key_id(const struct mb_anon *a, const char *key, size_t len, bool *hashed);

/* One CSV field: n bytes at s (not NUL-terminated). */
struct mb_field {
	const char *s;
	size_t n;
};

/* Split a line at commas (no quoting) into at most max fields: the count, or max + 1 when there are more. */
unsigned mb_trace_split(const char *line, size_t n, struct mb_field *f, unsigned max);
/* A decimal number of 1..20 digits, no sign, <= max: true when it is one. */
bool mb_trace_u64(struct mb_field f, uint64_t max, uint64_t *v);
/* A decimal number with an optional '-', within [min, max]. */
bool mb_trace_i64(struct mb_field f, int64_t min, int64_t max, int64_t *v);
/* Write v in decimal at p; returns the end. */
char *mb_trace_put_u64(char *p, uint64_t v);
/* Write v in decimal with a '-' when negative; returns the end. */
char *mb_trace_put_i64(char *p, int64_t v);
/* Write v as 16 lowercase hex digits; returns the end. */
char *mb_trace_put_hex16(char *p, uint64_t v);
/* Write the columns both written traces begin with: ev's whole seconds, key hash (16 hex
   digits) and key length, each followed by a comma; returns the end. */
char *mb_trace_put_lead(char *p, const struct mb_event *ev);
/* Fill err with "bad field NAME: 'VALUE'" (value cut at 80 bytes); returns MB_ERR. */
int mb_trace_bad(struct mb_err *err, const char *name, struct mb_field f);

/* ---- reading: trace -> events ---- */

/* Column indexes of a cachelib header (-1 when the column is absent). */
enum mb_cachelib_col {
	MB_CL_OP_TIME, MB_CL_KEY, MB_CL_KEY_SIZE, MB_CL_OP, MB_CL_OP_COUNT, MB_CL_SIZE,
	MB_CL_CACHE_HITS, MB_CL_TTL, MB_CL_USECASE, MB_CL_SUB_USECASE, MB_CL_NCOLS
};

/* A trace reader. Fill with mb_trace_reader_init; counters are public. */
struct mb_trace_reader {
	unsigned fmt;
	struct mb_zin *in;
	const char *name;           /* for messages */
	const struct mb_anon *anon; /* secret for string keys */
	bool skip_bad;              /* skip and count bad rows instead of failing */
	uint64_t rows;              /* rows (records) read, good or bad */
	uint64_t events;            /* events returned */
	uint64_t bad;               /* rows skipped as bad (skip_bad) */
	uint64_t hashed;            /* events whose key was hashed with the secret */
	/* cachelib state */
	bool header_done;
	unsigned ncols;             /* fields in the header row */
	int col[MB_CL_NCOLS];
	struct mb_event pend;       /* the row being expanded */
	uint32_t pend_left;         /* events of it still to return */
	uint32_t pend_hits;         /* of which hits (returned first) */
	bool pend_split;            /* the row says how many hit: the others are misses */
};

/* Set up a reader of fmt over in; name is used in messages. */
void mb_trace_reader_init(struct mb_trace_reader *t, unsigned fmt, struct mb_zin *in, const char *name,
			  const struct mb_anon *anon, bool skip_bad);
/*
 * Next event: MB_OK, MB_END at the end of the trace, MB_ERR (a bad row with
 * skip_bad off, a bad cachelib header, or corrupt compression; err says
 * "bad field F: 'V': 'name' line N" or "...: 'name' at byte N"), MB_EIO.
 */
int mb_trace_next(struct mb_trace_reader *t, struct mb_event *ev, struct mb_err *err);

/* Per-format row decoders, called by mb_trace_next. MB_OK or MB_ERR (err names the field, no location). */
int mb_twitter_row(const char *line, size_t n, const struct mb_anon *a, struct mb_event *ev, bool *hashed,
		   struct mb_err *err);
/* Read a cachelib header line into t->col / t->ncols. */
int mb_cachelib_header(struct mb_trace_reader *t, const char *line, size_t n, struct mb_err *err);
/* Decode a cachelib row into t->pend, t->pend_left, t->pend_hits. */
int mb_cachelib_row(struct mb_trace_reader *t, const char *line, size_t n, bool *hashed, struct mb_err *err);
/* Decode one 24-byte oracleGeneral record. */
void mb_oracle_record(const uint8_t *rec, struct mb_event *ev);

/* ---- writing: events -> trace ---- */

/* A trace writer. Counters are public. */
struct mb_trace_writer {
	unsigned fmt;
	struct mb_zout out;
	uint64_t events;            /* events offered */
	uint64_t records;           /* rows/records written (oracle: spooled) */
	uint64_t skipped;           /* events the format cannot express (see doc/traces.md) */
	uint64_t hashed;            /* events of raw-key streams whose key mb_trace_export hashed */
	/* oracle: the spool file the next-access pass works on */
	int spool_fd;
	uint8_t *sbuf;
	size_t slen, scap;
};

/* Set up a writer of fmt to fd. MB_OK or MB_EIO. */
int mb_trace_writer_init(struct mb_trace_writer *w, unsigned fmt, int fd, struct mb_err *err);
/* Add one event: written, or counted in w->skipped. MB_OK, MB_ERR (a value the format cannot hold), MB_EPIPE, MB_EIO. */
int mb_trace_writer_event(struct mb_trace_writer *w, const struct mb_event *ev, struct mb_err *err);
/* Finish the trace (oracle: compute next accesses and write every record) and flush. */
int mb_trace_writer_finish(struct mb_trace_writer *w, struct mb_err *err);
/* Release everything (also after an error). */
void mb_trace_writer_free(struct mb_trace_writer *w);

/* Per-format encoders, called by the writer: 1 written, 0 skipped, or an MB_* error (< 0). */
int mb_twitter_write(struct mb_zout *o, const struct mb_event *ev, struct mb_err *err);
int mb_cachelib_write(struct mb_zout *o, const struct mb_event *ev, struct mb_err *err);
/* The header row every cachelib export starts with. */
int mb_cachelib_write_header(struct mb_zout *o, struct mb_err *err);
/* Encode one oracle record with next access -1 into rec; 0 skipped, 1 done, MB_ERR when ts or size overflow. */
int mb_oracle_encode(const struct mb_event *ev, uint8_t *rec, struct mb_err *err);
/*
 * Rewrite the next-access field of the n records of a spool file (fd) from the end
 * to the start, then copy them to o. Memory: a table of distinct ids (16 bytes
 * each at <= 50% load). MB_OK, MB_EIO, MB_EPIPE.
 */
int mb_oracle_finish(int fd, uint64_t n, struct mb_zout *o, struct mb_err *err);

/* ---- drivers (mb-cat --from / --to) ---- */

/* The header of an import's events-hashed stream: program, trace_format, source (file base name) and, with a secret, anon_fp. */
void mb_trace_info(struct mb_stream_info *info, unsigned fmt, const char *file, const struct mb_anon *anon);

/* Options of a trace import. */
struct mb_trace_import_opts {
	unsigned fmt;
	const struct mb_anon *anon;
	bool skip_bad;
	volatile sig_atomic_t *stop; /* when set and *stop, end after the current event */
};

/*
 * Read the trace on fd (name for messages) and write its events to w (an
 * events-hashed writer whose header the caller wrote). Adds trace_rows, events,
 * bad_rows and hashed_keys to sum. MB_OK, MB_ERR, MB_EIO, MB_EPIPE.
 */
int mb_trace_import(const struct mb_trace_import_opts *o, int fd, const char *name, struct mb_writer *w,
		    struct mb_summary *sum, struct mb_err *err);
/*
 * Read the event stream or profile on fd and add its events to tw. Raw keys are
 * hashed with anon on the way (as mb-anon without --prefix does), so no raw key
 * reaches a trace.
 */
int mb_trace_export(struct mb_trace_writer *tw, int fd, const char *name, const struct mb_anon *anon,
		    volatile sig_atomic_t *stop, struct mb_err *err);

#endif
