/* join.c - connections numbered per input, servers numbered by address, in an output joined from several recordings. */
#include "join.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct mb_join *mb_join_new(void)
{
	struct mb_join *j = calloc(1, sizeof *j);
	if (j)
		j->next_conn = 1;
	return j;
}

void mb_join_free(struct mb_join *j)
{
	free(j);
}

void mb_join_input_free(struct mb_join_input *in)
{
	mb_connmap_free(&in->conns);
	free(in->servers);
	in->servers = NULL;
	in->nservers = 0;
}

int mb_join_event(struct mb_join *j, struct mb_join_input *in, struct mb_event *ev, const char *name, struct mb_err *err)
{
	uint64_t *v = mb_connmap_get(&in->conns, ev->conn_id);
	if (!v) {
		if (j->next_conn == UINT32_MAX)
			return mb_err_set(err, MB_ERR, "too many connections to number in one output: '%s'", name);
		bool fresh;
		if (!(v = mb_connmap_put(&in->conns, ev->conn_id, &fresh)))
			return mb_err_set(err, MB_EIO, "out of memory for connection numbers");
		*v = j->next_conn++;
	}
	ev->conn_id = (uint32_t)*v;
	uint32_t old = ev->sem.has & MB_SEM_SERVER ? ev->sem.server : 0;
	if (old < in->nservers && in->servers[old]) {
		ev->sem.server = (uint16_t)(in->servers[old] - 1);
		if (ev->sem.server)
			ev->sem.has |= MB_SEM_SERVER;
		else
			ev->sem.has &= (uint16_t)~MB_SEM_SERVER; /* server 0 is written as no field */
	}
	return MB_OK;
}

int mb_join_server(struct mb_join *j, struct mb_join_input *in, const struct mb_frame *f, const char *name,
		   uint8_t payload[MB_SERVER_LEN], bool *fresh, struct mb_err *err)
{
	struct mb_server s;
	if (mb_server_decode(f->payload, f->len, &s, err) != MB_OK)
		return mb_err_at(err, name, f->offset);
	uint32_t h = (uint32_t)mb_server_hash(&s) & (MB_JOIN_SERVER_SLOTS - 1);
	while (j->slot[h] && !mb_server_same(&j->list[j->slot[h] - 1], &s))
		h = (h + 1) & (MB_JOIN_SERVER_SLOTS - 1);
	*fresh = !j->slot[h];
	if (*fresh) {
		if (j->nservers > UINT16_MAX)
			return mb_err_set(err, MB_ERR, "more than %u servers to number in one output: '%s' at byte %" PRIu64, UINT16_MAX + 1,
					  name, f->offset);
		j->list[j->nservers] = s;
		j->list[j->nservers].number = (uint16_t)j->nservers;
		mb_server_encode(payload, &j->list[j->nservers]);
		j->slot[h] = ++j->nservers;
	}
	uint16_t out = j->list[j->slot[h] - 1].number;
	if (s.number >= in->nservers) {
		uint32_t *m = realloc(in->servers, ((size_t)s.number + 1) * sizeof *m);
		if (!m)
			return mb_err_set(err, MB_EIO, "out of memory for server numbers");
		memset(m + in->nservers, 0, ((size_t)s.number + 1 - in->nservers) * sizeof *m);
		in->servers = m;
		in->nservers = (uint32_t)s.number + 1;
	}
	in->servers[s.number] = (uint32_t)out + 1;
	return MB_OK;
}
