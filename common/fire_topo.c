/* fire_topo.c - which target a request goes to: its recorded server's (in order, or by a map file), or its key's on the consistent-hash ring. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fire_int.h"
#include "stream.h"

#define MAP_LINE_MAX 1024

int fire_target_map_load(struct fire_opts *opt, const char *path, struct mb_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return mb_err_set(err, MB_ERR, "--target-map: cannot open: %s: '%s'", strerror(errno), path);
	char line[MAP_LINE_MAX];
	unsigned no = 0;
	int rc = MB_OK;
	while (rc == MB_OK && fgets(line, sizeof line, f)) {
		no++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = mb_err_set(err, MB_ERR, "--target-map: line %u longer than %d bytes: '%s'", no, MAP_LINE_MAX - 1, path);
			break;
		}
		char *save = NULL, *rec = strtok_r(line, " \t\r\n", &save);
		if (!rec || rec[0] == '#')
			continue;
		char *tgt = strtok_r(NULL, " \t\r\n", &save), *extra = strtok_r(NULL, " \t\r\n", &save);
		struct fire_map_entry e;
		memset(&e, 0, sizeof e);
		if (!tgt || extra) {
			rc = mb_err_set(err, MB_ERR, "--target-map: line %u: want RECORDED TARGET: '%s'", no, path);
		} else if (mb_server_parse(rec, strlen(rec), &e.server)) {
			rc = mb_err_set(err, MB_ERR, "--target-map: line %u: recorded server '%s' is not ADDR:PORT or [V6ADDR]:PORT: '%s'",
					no, rec, path);
		} else if (opt->nmap == FIRE_MAP_MAX) {
			rc = mb_err_set(err, MB_ERR, "--target-map: more than %d servers: '%s'", FIRE_MAP_MAX, path);
		} else {
			unsigned t = 0;
			while (t < opt->ntargets && strcmp(opt->targets[t].name, tgt))
				t++;
			if (t == opt->ntargets) {
				rc = mb_err_set(err, MB_ERR, "--target-map: line %u: target '%s' is not one of -t: '%s'", no, tgt, path);
				break;
			}
			e.target = t;
			opt->map[opt->nmap++] = e;
		}
	}
	if (rc == MB_OK && ferror(f))
		rc = mb_err_set(err, MB_ERR, "--target-map: read error: '%s'", path);
	fclose(f);
	return rc;
}

bool fire_by_server(const struct fire_run *r, const struct mb_stream_info *info)
{
	const char *s = mb_info_get(info, "servers");
	bool numbered = s && !strcmp(s, "numbered");
	return numbered && !r->opt.hash_keys && (r->opt.ntargets > 1 || r->opt.nmap);
}

int fire_topo_server(struct fire_run *r, const struct mb_frame *f, struct mb_err *err)
{
	struct mb_server s;
	if (mb_server_decode(f->payload, f->len, &s, err) != MB_OK)
		return MB_ERR;
	/* one address per number: two captures concatenated each number their servers from 0,
	   and their requests would go to one target as if one server had taken them */
	if (!r->sched.srv_seen && !(r->sched.srv_seen = calloc(65536, sizeof *r->sched.srv_seen)))
		return mb_err_set(err, MB_EIO, "out of memory for the recorded servers");
	struct mb_server *known = &r->sched.srv_seen[s.number];
	if (known->family && !mb_server_same(known, &s))
		return mb_err_set(err, MB_ERR, "recorded server %u declared again with another address, so its number names two servers (captures concatenated? mb-pack -m merges them; --hash spreads the keys instead)", s.number);
	*known = s;
	if (!r->opt.nmap)
		return MB_OK; /* in order: recorded number modulo the targets */
	if (!r->sched.srv_target && !(r->sched.srv_target = calloc(65536, 1)))
		return mb_err_set(err, MB_EIO, "out of memory for the target map");
	for (unsigned i = 0; i < r->opt.nmap; i++) {
		const struct mb_server *m = &r->opt.map[i].server;
		if (mb_server_same(m, &s)) {
			r->sched.srv_target[s.number] = (uint8_t)(r->opt.map[i].target + 1);
			return MB_OK;
		}
	}
	char name[64];
	mb_server_name(&s, name, sizeof name);
	return mb_err_set(err, MB_ERR, "recorded server %u (%s) is not in the --target-map file", s.number, name);
}

unsigned fire_target_of(const struct fire_run *r, bool by_server, uint16_t server, unsigned cmd, uint64_t key_hash)
{
	if (r->opt.ntargets == 1)
		return 0;
	if (by_server) {
		const uint8_t *m = r->sched.srv_target;
		return m && m[server] ? m[server] - 1u : server % r->opt.ntargets;
	}
	return mb_cmd_has_key(cmd) ? mb_chash_lookup(&r->ring, key_hash) : 0;
}

bool fire_target_local(const struct fire_target *t)
{
	if (t->family == AF_UNIX)
		return true;
	const struct sockaddr_in *in = (const struct sockaddr_in *)&t->addr;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&t->addr;
	if (t->family == AF_INET && (ntohl(in->sin_addr.s_addr) >> 24) == 127)
		return true;
	if (t->family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
		return true;
	struct ifaddrs *ifs;
	if (getifaddrs(&ifs) != 0)
		return false;
	bool local = false;
	for (const struct ifaddrs *i = ifs; i && !local; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != t->family)
			continue;
		if (t->family == AF_INET)
			local = ((const struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == in->sin_addr.s_addr;
		else if (t->family == AF_INET6)
			local = !memcmp(&((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &in6->sin6_addr, sizeof in6->sin6_addr);
	}
	freeifaddrs(ifs);
	return local;
}
