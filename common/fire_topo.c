/* fire_topo.c - which target a request goes to: its recorded server's, or its key's on the consistent-hash ring. */
#include <string.h>

#include "fire_int.h"
#include "stream.h"

bool fire_by_server(const struct fire_run *r, const struct mb_stream_info *info)
{
	const char *s = mb_info_get(info, "servers");
	return r->opt.ntargets > 1 && !r->opt.hash_keys && s && !strcmp(s, "numbered");
}

unsigned fire_target_of(const struct fire_run *r, bool by_server, uint16_t server, unsigned cmd, uint64_t key_hash)
{
	if (by_server)
		return server % r->opt.ntargets;
	return mb_cmd_has_key(cmd) ? mb_chash_lookup(&r->ring, key_hash) : 0;
}
