/* fire_topo.c - the targets, and which one a request goes to: its recorded server's (in order, or by a map file), or its key's on the consistent-hash ring. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fire_int.h"
#include "opt.h"
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

int fire_target_parse(const char *s, struct fire_target *t, struct mb_err *err)
{
	snprintf(t->name, sizeof t->name, "%s", s);
	if (s[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;
		if (strlen(s) >= sizeof un->sun_path)
			return mb_err_set(err, MB_ERR, "unix socket path too long: '%s'", s);
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, s);
		t->addrlen = sizeof *un;
		t->family = AF_UNIX;
		return MB_OK;
	}
	char host[256];
	const char *port;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host)
			return mb_err_set(err, MB_ERR, "bad target, want [addr]:port: '%s'", s);
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		port = e + 2;
	} else {
		const char *c = strrchr(s, ':');
		if (!c || (size_t)(c - s) >= sizeof host)
			return mb_err_set(err, MB_ERR, "bad target, want host:port or /path: '%s'", s);
		memcpy(host, s, (size_t)(c - s));
		host[c - s] = 0;
		port = c + 1;
	}
	uint64_t p;
	if (mb_opt_u64(port, 1, 65535, false, &p, err) != MB_OK)
		return mb_err_set(err, MB_ERR, "bad port in target: '%s'", s);
	struct addrinfo hints = { 0 }, *res;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		return mb_err_set(err, MB_EIO, "cannot resolve target: %s: '%s'", gai_strerror(rc), s);
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	t->family = res->ai_family;
	freeaddrinfo(res);
	return MB_OK;
}
