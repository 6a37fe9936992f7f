/* event.h - the event model: one memcached key operation and its response. */
#ifndef MB_EVENT_H
#define MB_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire protocol of the request (event field `proto`). */
enum mb_proto {
	MB_PROTO_UNKNOWN = 0,
	MB_PROTO_TEXT = 1,   /* classic text protocol: get, set, ... */
	MB_PROTO_META = 2,   /* meta text protocol: mg, ms, md, ma, mn, me */
	MB_PROTO_BINARY = 3, /* binary protocol, 24-byte headers */
	MB_PROTO_COUNT
};

/* Transport (event field `transport`). */
enum mb_transport {
	MB_TRANSPORT_TCP = 0,
	MB_TRANSPORT_UDP = 1,
	MB_TRANSPORT_UNIX = 2,
	MB_TRANSPORT_COUNT
};

/*
 * Command (event field `cmd`). Meta and binary requests map to the classic command
 * they perform (mg -> get, ms with mode E -> add, binary GETKQ -> get + NOREPLY ...),
 * so a command mix is comparable across protocols; `proto` keeps the wire form.
 * Values are part of the stream format: never renumber, only append.
 */
enum mb_cmd {
	MB_CMD_UNKNOWN = 0, /* unrecognised command: counted as an error */
	MB_CMD_GET = 1,
	MB_CMD_GETS = 2,
	MB_CMD_GAT = 3,
	MB_CMD_GATS = 4,
	MB_CMD_SET = 5,
	MB_CMD_ADD = 6,
	MB_CMD_REPLACE = 7,
	MB_CMD_APPEND = 8,
	MB_CMD_PREPEND = 9,
	MB_CMD_CAS = 10,
	MB_CMD_DELETE = 11,
	MB_CMD_INCR = 12,
	MB_CMD_DECR = 13,
	MB_CMD_TOUCH = 14,
	MB_CMD_FLUSH_ALL = 15,
	MB_CMD_VERSION = 16,
	MB_CMD_STATS = 17,
	MB_CMD_VERBOSITY = 18,
	MB_CMD_QUIT = 19,
	MB_CMD_NOOP = 20,    /* meta mn, binary NOOP */
	MB_CMD_DEBUG = 21,   /* meta me */
	MB_CMD_AUTH = 22,    /* binary SASL opcodes */
	MB_CMD_ADMIN = 23,   /* known admin commands: slabs, lru, lru_crawler, watch, shutdown, cache_memlimit, ... */
	MB_CMD_COUNT
};

/* Response status (event field `status`). Values are part of the stream format. */
enum mb_status {
	MB_ST_NONE = 0,         /* no response expected (noreply / quiet success not inferred) */
	MB_ST_HIT = 1,          /* retrieval found the item; incr/decr/ma succeeded */
	MB_ST_MISS = 2,         /* retrieval did not find the item */
	MB_ST_STORED = 3,
	MB_ST_NOT_STORED = 4,
	MB_ST_EXISTS = 5,       /* cas mismatch */
	MB_ST_NOT_FOUND = 6,    /* delete/incr/decr/touch/cas on a missing item */
	MB_ST_DELETED = 7,
	MB_ST_TOUCHED = 8,
	MB_ST_OK = 9,           /* other success: OK, VERSION, stats END, MN, binary status 0 */
	MB_ST_ERROR = 10,       /* ERROR (unknown command), binary unknown command */
	MB_ST_CLIENT_ERROR = 11,
	MB_ST_SERVER_ERROR = 12, /* SERVER_ERROR, binary out of memory / busy / ... */
	MB_ST_UNANSWERED = 13,  /* a response was expected but the connection closed/desynced first */
	MB_ST_COUNT
};

/* Event flags (event field `flags`, a bit set). Unknown bits are carried unchanged. */
enum mb_event_flag {
	MB_EF_NOREPLY = 1u << 0,    /* noreply / meta q / binary quiet opcode */
	MB_EF_MULTI = 1u << 1,      /* member of a multi-key request; batch_id names it */
	MB_EF_BATCH_END = 1u << 2,  /* last member of its multi-key request */
	MB_EF_BASE64 = 1u << 3,     /* meta key was sent base64-encoded (b flag); key holds decoded bytes */
	MB_EF_WANT_VALUE = 1u << 4, /* meta v (text get implies it) */
	MB_EF_WANT_CAS = 1u << 5,   /* gets/gats, meta c */
	MB_EF_VIVIFY = 1u << 6,     /* meta N */
	MB_EF_INVALIDATE = 1u << 7, /* meta I */
	MB_EF_OPAQUE = 1u << 8,     /* request carried an opaque (meta O, binary opaque != 0) */
	MB_EF_INFERRED = 1u << 9,   /* status inferred from a quiet request's missing reply */
	MB_EF_RESYNC = 1u << 10,    /* first event after the flow resynchronized */
	MB_EF_KEY_CUT = 1u << 11,   /* key longer than the capture held; key bytes are a prefix */
	MB_EF_CAS_STORE = 1u << 12, /* binary store opcode (SET/ADD/REPLACE, quiet too) carrying a CAS: cmd is cas */
	MB_EF_AMBIGUOUS = 1u << 13, /* the wire cannot tell which quiet request a reply answered (doc/parse.md) */
};
#define MB_EF_NAMED_COUNT 14

/*
 * Request semantics beyond the command (doc/stream.md, "event extension"): what a
 * replay must send so the server does and answers what it did in the recording. All
 * zero means none were recorded (a stream older than version 2, or a plain request).
 * Numbers only: no value bytes are ever kept.
 */
enum mb_sem_has {
	MB_SEM_META = 1u << 0,         /* recorded as meta: `mflags` lists every flag letter sent */
	MB_SEM_DELTA = 1u << 1,        /* `delta`: incr/decr amount (text, meta D, binary) */
	MB_SEM_INITIAL = 1u << 2,      /* `initial`: meta J, binary incr/decr initial value */
	MB_SEM_CAS = 1u << 3,          /* `cas`: unique compared (text cas, meta C, binary header cas) */
	MB_SEM_NEW_CAS = 1u << 4,      /* `new_cas`: meta E, the unique the item gets */
	MB_SEM_VIVIFY = 1u << 5,       /* `vivify_ttl`: meta N token */
	MB_SEM_RECACHE = 1u << 6,      /* `recache_ttl`: meta R token */
	MB_SEM_CLIENT_FLAGS = 1u << 7, /* `client_flags`: text/binary store flags, meta F */
	MB_SEM_MODE = 1u << 8,         /* `mode`: meta M token as sent */
	MB_SEM_SERVER = 1u << 9,       /* `server`: the connection's server, numbered from 0 by first appearance */
	MB_SEM_HAS_ALL = (1u << 10) - 1
};

/* Bit of a meta flag letter in mflags: A-Z are bits 0-25, a-z bits 26-51; -1 otherwise. */
static inline int mb_sem_letter_bit(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? 26 + (c - 'a') : -1;
}

struct mb_sem {
	uint64_t mflags;      /* meta flag letters sent (mb_sem_letter_bit), when MB_SEM_META */
	uint64_t delta;
	uint64_t initial;
	uint64_t cas;
	uint64_t new_cas;
	int32_t vivify_ttl;
	int32_t recache_ttl;
	uint32_t client_flags;
	uint16_t has;         /* enum mb_sem_has bits: which fields are set */
	uint8_t mode;         /* meta mode character ('E', 'A', 'P', 'R', 'S', 'I', '+', 'D', '-') */
	uint16_t server;      /* recorded server (0, the first, when not set) */
};

/*
 * One event, decoded. `key` points into the frame it came from (raw kind) and is
 * valid until the next read; in hashed streams `key_hash` is set and `key` is NULL.
 */
struct mb_event {
	uint64_t ts_ns;      /* capture time of the packet that completed the request, ns since epoch */
	uint64_t latency_ns; /* request complete -> response start; 0 without a response */
	uint32_t conn_id;
	uint32_t batch_id;   /* 0 unless MB_EF_MULTI */
	uint32_t value_len;  /* request value bytes (storage commands), else 0 */
	uint32_t resp_len;   /* response value bytes (VALUE/VA body, binary value), else 0 */
	int32_t ttl;         /* exptime as sent (seconds or unix time); 0 when none */
	uint16_t flags;      /* enum mb_event_flag bits */
	uint16_t key_len;    /* key length in bytes (the original length in hashed streams) */
	uint8_t proto;       /* enum mb_proto */
	uint8_t transport;   /* enum mb_transport */
	uint8_t cmd;         /* enum mb_cmd */
	uint8_t status;      /* enum mb_status */
	uint64_t key_hash;   /* hashed streams */
	const uint8_t *key;  /* raw streams: key_len bytes */
	struct mb_sem sem;   /* request semantics (stream version 2); zero when none */
};

/* Names as printed by mb-cat and mb-stat; "?" (or NULL from *_parse) when out of range. */
const char *mb_proto_name(unsigned proto);
const char *mb_transport_name(unsigned transport);
const char *mb_cmd_name(unsigned cmd);
const char *mb_status_name(unsigned status);
const char *mb_flag_name(unsigned bit_index);
/* strlen(mb_cmd_name(cmd)) for each command, without a call: the verb of a text request line. */
extern const uint8_t mb_cmd_name_len[MB_CMD_COUNT];

/* Inverse of the name functions: the value, or -1 when the name is unknown. */
int mb_proto_parse(const char *s, size_t n);
int mb_transport_parse(const char *s, size_t n);
int mb_cmd_parse(const char *s, size_t n);
int mb_status_parse(const char *s, size_t n);
int mb_flag_parse(const char *s, size_t n); /* bit index */

/* True for commands that read a key (get family). */
bool mb_cmd_is_read(unsigned cmd);
/* True for commands that carry a value (set family). */
bool mb_cmd_is_store(unsigned cmd);
/* True for commands that name a key at all. */
bool mb_cmd_has_key(unsigned cmd);

#endif
