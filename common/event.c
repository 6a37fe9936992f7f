/* event.c - names of the event model's enumerations and command classes. */
#include <string.h>

#include "event.h"

static const char *const proto_names[MB_PROTO_COUNT] = { "unknown", "text", "meta", "binary" };
static const char *const transport_names[MB_TRANSPORT_COUNT] = { "tcp", "udp", "unix" };
/* The names of enum mb_cmd in order, listed once: the table of names and that of their lengths come from it. */
#define CMD_NAMES(NAME)                                                                                              \
	NAME("unknown") NAME("get") NAME("gets") NAME("gat") NAME("gats") NAME("set") NAME("add") NAME("replace")     \
	NAME("append") NAME("prepend") NAME("cas") NAME("delete") NAME("incr") NAME("decr") NAME("touch")             \
	NAME("flush_all") NAME("version") NAME("stats") NAME("verbosity") NAME("quit") NAME("noop") NAME("debug")     \
	NAME("auth") NAME("admin")
#define CMD_NAME(s) s,
#define CMD_NAME_LEN(s) sizeof s - 1,
static const char *const cmd_names[] = { CMD_NAMES(CMD_NAME) };
_Static_assert(sizeof cmd_names / sizeof cmd_names[0] == MB_CMD_COUNT, "one name per command");
const uint8_t mb_cmd_name_len[MB_CMD_COUNT] = { CMD_NAMES(CMD_NAME_LEN) };
static const char *const status_names[MB_ST_COUNT] = {
	"none", "hit", "miss", "stored", "not_stored", "exists", "not_found", "deleted",
	"touched", "ok", "error", "client_error", "server_error", "unanswered",
};
static const char *const flag_names[MB_EF_NAMED_COUNT] = {
	"noreply", "multi", "batch_end", "base64", "want_value", "want_cas", "vivify",
	"invalidate", "opaque", "inferred", "resync", "key_cut", "cas_store", "ambiguous",
};

static const char *name_of(const char *const *names, unsigned n, unsigned v)
{
	return v < n ? names[v] : "?";
}

static int parse_of(const char *const *names, unsigned n, const char *s, size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

const char *mb_proto_name(unsigned v) { return name_of(proto_names, MB_PROTO_COUNT, v); }
const char *mb_transport_name(unsigned v) { return name_of(transport_names, MB_TRANSPORT_COUNT, v); }
const char *mb_cmd_name(unsigned v) { return name_of(cmd_names, MB_CMD_COUNT, v); }
const char *mb_status_name(unsigned v) { return name_of(status_names, MB_ST_COUNT, v); }
const char *mb_flag_name(unsigned v) { return name_of(flag_names, MB_EF_NAMED_COUNT, v); }

int mb_proto_parse(const char *s, size_t n) { return parse_of(proto_names, MB_PROTO_COUNT, s, n); }
int mb_transport_parse(const char *s, size_t n) { return parse_of(transport_names, MB_TRANSPORT_COUNT, s, n); }
int mb_cmd_parse(const char *s, size_t n) { return parse_of(cmd_names, MB_CMD_COUNT, s, n); }
int mb_status_parse(const char *s, size_t n) { return parse_of(status_names, MB_ST_COUNT, s, n); }
int mb_flag_parse(const char *s, size_t n) { return parse_of(flag_names, MB_EF_NAMED_COUNT, s, n); }

bool mb_cmd_is_read(unsigned cmd)
{
	return cmd == MB_CMD_GET || cmd == MB_CMD_GETS || cmd == MB_CMD_GAT || cmd == MB_CMD_GATS;
}

bool mb_cmd_is_store(unsigned cmd)
{
	return cmd >= MB_CMD_SET && cmd <= MB_CMD_CAS;
}

bool mb_cmd_has_key(unsigned cmd)
{
	return cmd >= MB_CMD_GET && cmd <= MB_CMD_TOUCH;
}
