/* concat.c - several event streams into one: connections renumbered per input, servers mapped by address. */
#include "concat.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SERVERS_MAX 65536u /* the event's server field is 16 bits */

void mb_concat_init(struct mb_concat *c)
{
	memset(c, 0, sizeof *c);
}

void mb_concat_input(struct mb_concat *c)
{
	c->inputs++;
	mb_connmap_free(&c->cur);
	if (c->map)
		memset(c->map, 0, SERVERS_MAX * sizeof c->map[0]);
}

/* Note output server s (its number and address), replacing what that number had. */
static int server_note(struct mb_concat *c, const struct mb_server *s)
{
	if (c->used_servers[s->number / 64] & (1ull << (s->number % 64))) {
		for (uint32_t i = 0; i < c->nservers; i++)
			if (c->servers[i].number == s->number)
				c->servers[i] = *s;
		return MB_OK;
	}
	if (c->nservers == c->capservers) {
		uint32_t cap = c->capservers ? c->capservers * 2 : 16;
		struct mb_server *p = realloc(c->servers, cap * sizeof *p);
		if (!p)
			return MB_EIO;
		c->servers = p;
		c->capservers = cap;
	}
	c->servers[c->nservers++] = *s;
	c->used_servers[s->number / 64] |= 1ull << (s->number % 64);
	return MB_OK;
}

/* The output's number for connection id of the current input. MB_OK, MB_ERR when every
   number is taken, MB_EIO without memory. */
static int conn_out(struct mb_concat *c, uint32_t id, uint64_t *out)
{
	bool fresh;
	if (c->inputs <= 1) {
		*out = id;
		if ((uint64_t)id + 1 > c->next)
			c->next = (uint64_t)id + 1;
		return mb_connmap_put(&c->used, id, &fresh) ? MB_OK : MB_EIO;
	}
	uint64_t *v = mb_connmap_put(&c->cur, id, &fresh);
	if (!v)
		return MB_EIO;
	if (fresh) {
		for (;; c->next++) {
			if (c->next > UINT32_MAX) { /* past the top: the lowest free numbers, once */
				if (c->wrapped)
					return MB_ERR;
				c->wrapped = true;
				c->next = 0;
			}
			if (!mb_connmap_get(&c->used, (uint32_t)c->next))
				break;
		}
		if (!mb_connmap_put(&c->used, (uint32_t)c->next, &fresh))
			return MB_EIO;
		*v = c->next++;
	}
	*out = *v;
	return MB_OK;
}

static int server_frame(struct mb_concat *c, struct mb_writer *w, const struct mb_frame *f, const char *name, struct mb_err *err)
{
	struct mb_server s;
	if (mb_server_decode(f->payload, f->len, &s, err) != MB_OK)
		return mb_err_at(err, name, f->offset);
	if (c->inputs <= 1) { /* the first input as it is */
		if (server_note(c, &s) != MB_OK)
			return mb_err_set(err, MB_EIO, "out of memory");
		return mb_writer_frame(w, f->type, f->flags, f->payload, f->len, err);
	}
	if (!c->map && !(c->map = calloc(SERVERS_MAX, sizeof c->map[0])))
		return mb_err_set(err, MB_EIO, "out of memory");
	for (uint32_t i = 0; i < c->nservers; i++) {
		if (mb_server_same(&c->servers[i], &s)) { /* an earlier input declared this address */
			c->map[s.number] = (uint32_t)c->servers[i].number + 1;
			return MB_OK;
		}
	}
	while (c->next_server < SERVERS_MAX && (c->used_servers[c->next_server / 64] & (1ull << (c->next_server % 64))))
		c->next_server++;
	if (c->next_server == SERVERS_MAX)
		return mb_err_set(err, MB_ERR, "more than %u distinct servers in the inputs: '%s' at byte %" PRIu64, SERVERS_MAX, name,
				  f->offset);
	c->map[s.number] = c->next_server + 1;
	s.number = (uint16_t)c->next_server;
	if (server_note(c, &s) != MB_OK)
		return mb_err_set(err, MB_EIO, "out of memory");
	uint8_t p[MB_SERVER_LEN];
	mb_server_encode(p, &s);
	return mb_writer_frame(w, MB_FRAME_SERVER, f->flags, p, MB_SERVER_LEN, err);
}

int mb_concat_frame(struct mb_concat *c, struct mb_writer *w, unsigned kind, const struct mb_frame *f, const char *name,
		    struct mb_err *err)
{
	bool events = kind == MB_KIND_EVENTS_RAW || kind == MB_KIND_EVENTS_HASHED;
	if (events && f->type == MB_FRAME_SERVER && f->flags == 0) /* with flags: opaque, as readers take it */
		return server_frame(c, w, f, name, err);
	if (!events || f->type != MB_FRAME_EVENT)
		return mb_writer_frame(w, f->type, f->flags, f->payload, f->len, err);
	struct mb_event ev;
	if (mb_event_decode(f->payload, f->len, kind, &ev, err) != MB_OK)
		return mb_err_at(err, name, f->offset);
	uint64_t conn;
	int rc = conn_out(c, ev.conn_id, &conn);
	if (rc != MB_OK)
		return rc == MB_EIO ? mb_err_set(err, MB_EIO, "out of memory")
				    : mb_err_set(err, MB_ERR, "all 2^32 connection numbers taken: '%s' at byte %" PRIu64, name, f->offset);
	uint16_t was = ev.sem.server; /* 0 when the field is absent */
	uint16_t server = c->map && c->map[was] ? (uint16_t)(c->map[was] - 1) : was;
	if (conn == ev.conn_id && server == was)
		return mb_writer_frame(w, f->type, f->flags, f->payload, f->len, err); /* unchanged: byte for byte */
	ev.conn_id = (uint32_t)conn;
	ev.sem.server = server;
	if (server)
		ev.sem.has |= MB_SEM_SERVER;
	else
		ev.sem.has &= (uint16_t)~MB_SEM_SERVER; /* server 0 is written as no field, as mb-parse does */
	return mb_writer_event(w, &ev, err);
}

void mb_concat_free(struct mb_concat *c)
{
	mb_connmap_free(&c->used);
	mb_connmap_free(&c->cur);
	free(c->servers);
	free(c->map);
	memset(c, 0, sizeof *c);
}
