/* fire_udp.c - requests recorded over UDP replay over UDP: memcached's frame header, reply datagrams in sequence, a timeout for lost ones. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"
#include "fire_int.h"
#include "mbtime.h"

/*
 * memcached's UDP frame: 8 bytes before the payload of every datagram, big endian:
 * request id, sequence number, datagrams in the message, reserved (0). A request is one
 * datagram (seq 0 of 1); its reply may take several, numbered from 0, each carrying the
 * request's id. A connection sends one request at a time and waits for its whole reply,
 * so replies cannot be confused; a datagram out of sequence, or a reply that does not come
 * within UDP_TIMEOUT_NS, loses the request (counted as lost to the network).
 */

#define UDP_TIMEOUT_NS 1000000000ull
#define UDP_DGRAM_MAX 65536

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void udp_timeout(struct mb_evloop *l, void *ptr)
{
	(void)l;
	struct fire_conn *c = ptr;
	c->udp_timer = 0;
	if (!c->outstanding)
		return;
	fire_conn_lose(c->w, c);
	fire_conn_pump(c->w, c);
}

void fire_udp_frame(struct fire_worker *w, struct fire_conn *c, uint8_t *p)
{
	c->udp_id++;
	c->udp_seq = 0;
	c->udp_lost = false;
	put16(p, c->udp_id);
	put16(p + 2, 0);
	put16(p + 4, 1);
	put16(p + 6, 0);
	if (c->udp_timer)
		mb_evloop_timer_cancel(w->loop, c->udp_timer);
	c->udp_timer = mb_evloop_timer(w->loop, mb_mono_ns() + UDP_TIMEOUT_NS, udp_timeout, c, &w->err);
}

/* One reply datagram: its payload goes to the response parser when it comes in sequence. */
static void datagram(struct fire_worker *w, struct fire_conn *c, const uint8_t *p, size_t n)
{
	struct mb_cur cur = mb_cur_make(p, n);
	uint16_t id = mb_get_be16(&cur), seq = mb_get_be16(&cur);
	mb_skip(&cur, 4);
	if (cur.bad || id != c->udp_id || !c->outstanding || c->udp_lost)
		return; /* a stray, late or duplicated datagram */
	if (seq != c->udp_seq || c->in_len + (n - FIRE_UDP_HDR) > FIRE_IO_BUF) {
		c->udp_lost = true; /* a datagram of the reply is missing: the timeout gives it up */
		return;
	}
	c->udp_seq++;
	memcpy(c->in + c->in_len, p + FIRE_UDP_HDR, n - FIRE_UDP_HDR);
	c->in_len += (uint32_t)(n - FIRE_UDP_HDR);
	if (!fire_conn_parse(w, c, mb_mono_ns()))
		return;
	if (!c->outstanding && c->udp_timer) {
		mb_evloop_timer_cancel(w->loop, c->udp_timer);
		c->udp_timer = 0;
		c->in_len = 0;
		c->skip = 0;
	}
}

void fire_udp_read(struct fire_worker *w, struct fire_conn *c)
{
	uint8_t dg[UDP_DGRAM_MAX];
	if (!fire_conn_in_room(w, c))
		return;
	for (;;) {
		ssize_t n = recv(c->fd, dg, sizeof dg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* EAGAIN; ECONNREFUSED (nobody on the port) is left to the timeout */
		if ((size_t)n >= FIRE_UDP_HDR)
			datagram(w, c, dg, (size_t)n);
		if (c->fd < 0)
			return;
	}
	fire_conn_idle_in(w, c);
	fire_conn_pump(w, c);
}
