/* egress_relay.c: the bytes of a connection once it is allowed: splice() through a pipe per direction
 * when no rate is set, read/write otherwise; at most AL_EGRESS_RELAY_BUF in flight per direction
 * (backpressure by not reading), and the token bucket shared by all connections. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "egress_loop.h"
#include "util.h"

static size_t dir_pending(const struct egress_dir *d)
{
	return d->len - d->off + d->in_pipe;
}

static bool dir_wants_read(const struct egress_dir *d)
{
	return !d->eof && !d->stopped && !d->pipe_full && dir_pending(d) < AL_EGRESS_RELAY_BUF;
}

void egress_relay_interest(const struct egress_proxy *p, const struct egress_conn *c, uint32_t *client,
			   uint32_t *server)
{
	bool rate_ok = !c->rate_wait;
	*client = *server = 0;
	if (c->sni_check || (rate_ok && dir_wants_read(&c->up)))
		*client |= EPOLLIN;
	if (rate_ok && dir_wants_read(&c->down))
		*server |= EPOLLIN;
	if (dir_pending(&c->up))
		*server |= EPOLLOUT;
	if (dir_pending(&c->down))
		*client |= EPOLLOUT;
}

/* ------------------------------------------------------------------ the token bucket */

void egress_rate_init(struct egress_proxy *p, uint64_t rate)
{
	p->rate = rate;
	p->burst = (double)(rate / 10 > 16384 ? rate / 10 : 16384);
	p->tokens = p->burst;
	p->refilled_ns = al_now_ns();
}

static size_t rate_allow(struct egress_proxy *p, size_t want)
{
	uint64_t now = al_now_ns();
	p->tokens += (double)(now - p->refilled_ns) * (double)p->rate / 1e9;
	if (p->tokens > p->burst)
		p->tokens = p->burst;
	p->refilled_ns = now;
	if (p->tokens < 1)
		return 0;
	return want < p->tokens ? want : (size_t)p->tokens;
}

/* Park c until the bucket holds a useful amount again (about 1/100 s of the rate, at least 4 KiB). */
static void rate_wait(struct egress_proxy *p, struct egress_conn *c)
{
	if (!c->rate_wait) {
		c->rate_wait = true;
		c->rate_next = NULL;
		c->rate_prev = NULL;
		struct egress_conn **tail = &p->rate_waiters;
		while (*tail) {
			c->rate_prev = *tail;
			tail = &(*tail)->rate_next;
		}
		*tail = c;
	}
	if (p->rate_armed)
		return;
	double want = (double)(p->rate / 100 > 4096 ? p->rate / 100 : 4096);
	if (want > p->burst)
		want = p->burst;
	uint64_t ns = (uint64_t)((want - p->tokens) * 1e9 / (double)p->rate);
	if (ns < 1000000)
		ns = 1000000;
	struct itimerspec its = {
	    .it_value = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)}};
	timerfd_settime(p->rate_fd, 0, &its, NULL);
	p->rate_armed = true;
}

static void rate_unlink(struct egress_proxy *p, struct egress_conn *c)
{
	if (!c->rate_wait)
		return;
	if (c->rate_prev)
		c->rate_prev->rate_next = c->rate_next;
	else
		p->rate_waiters = c->rate_next;
	if (c->rate_next)
		c->rate_next->rate_prev = c->rate_prev;
	c->rate_wait = false;
	c->rate_prev = c->rate_next = NULL;
}

void egress_rate_timer(struct egress_proxy *p)
{
	uint64_t ticks;
	if (read(p->rate_fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		return;
	p->rate_armed = false;
	struct egress_conn *c = p->rate_waiters;
	p->rate_waiters = NULL;
	while (c) {
		struct egress_conn *next = c->rate_next;
		c->rate_wait = false;
		c->rate_prev = c->rate_next = NULL;
		egress_conn_update(p, c);
		c = next;
	}
}

/* ------------------------------------------------------------------ moving bytes */

/* Write what d holds to fd. 0, or -1 with errno on a failure that ends the connection. */
static int dir_flush(struct egress_conn *c, struct egress_dir *d, int fd)
{
	while (d->off < d->len) {
		ssize_t n = send(fd, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EINTR ? 0 : errno == EAGAIN ? 0 : -1;
		d->off += (size_t)n;
		d->bytes += (uint64_t)n;
	}
	d->off = d->len = 0;
	while (d->in_pipe) {
		ssize_t n = splice(d->pipe[0], NULL, fd, NULL, d->in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n <= 0)
			return n < 0 && errno != EAGAIN && errno != EINTR ? -1 : 0;
		d->in_pipe -= (size_t)n;
		d->bytes += (uint64_t)n;
		d->pipe_full = false;
	}
	return 0;
}

static bool dir_framed(const struct egress_conn *c, const struct egress_dir *d)
{
	return d == &c->up && !c->socks && !c->req.connect;
}

/* Read into d's buffer (read/write mode). Returns bytes read, 0 at EOF, -1 with errno. */
static ssize_t fill_buffer(struct egress_conn *c, struct egress_dir *d, int fd, size_t room)
{
	if (!d->buf)
		d->buf = al_xmalloc(AL_EGRESS_RELAY_BUF);
	if (d->off && d->len + room > AL_EGRESS_RELAY_BUF) {
		memmove(d->buf, d->buf + d->off, d->len - d->off);
		d->len -= d->off;
		d->off = 0;
	}
	ssize_t n = recv(fd, d->buf + d->len, room, MSG_DONTWAIT);
	if (n <= 0)
		return n;
	if (dir_framed(c, d)) {
		/* one request per connection: what follows its body is not forwarded */
		ssize_t keep = al_http_body_feed(&c->req.body, d->buf + d->len, (size_t)n);
		if (keep < 0) {
			errno = EPROTO;
			return -1;
		}
		d->stopped = c->req.body.done;
		d->len += (size_t)keep;
		return n;
	}
	d->len += (size_t)n;
	return n;
}

static ssize_t fill_pipe(struct egress_dir *d, int fd, size_t room)
{
	if (d->pipe[0] < 0 && pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		d->pipe[0] = d->pipe[1] = -1;
		return -2; /* out of descriptors: read/write then */
	}
	ssize_t n = splice(fd, NULL, d->pipe[1], NULL, room, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n < 0 && errno == EAGAIN && d->in_pipe)
		d->pipe_full = true;
	if (n > 0)
		d->in_pipe += (size_t)n;
	return n;
}

/* Read what fd offers into d, as far as its room and the rate allow. Bytes read, or -1 with errno. */
static ssize_t dir_fill(struct egress_proxy *p, struct egress_conn *c, struct egress_dir *d, int fd)
{
	size_t room = AL_EGRESS_RELAY_BUF - dir_pending(d);
	if (!dir_wants_read(d) || c->rate_wait)
		return 0;
	if (p->rate && (room = rate_allow(p, room)) == 0) {
		rate_wait(p, c);
		return 0;
	}
	ssize_t n = -2;
	if (!p->rate && !dir_framed(c, d))
		n = fill_pipe(d, fd, room);
	if (n == -2)
		n = fill_buffer(c, d, fd, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0 && errno == EPROTO)
		return -1;
	if (n <= 0) {
		d->eof = true; /* an error reading is an end too: what was read still goes out */
		return 0;
	}
	if (p->rate)
		p->tokens -= (double)n;
	c->active_ns = al_now_ns();
	return n;
}

/* Half-close what has ended; true when the whole connection is done. */
static bool relay_settle(struct egress_conn *c)
{
	if (c->up.eof && !dir_pending(&c->up) && !c->up.shut) {
		if (!dir_framed(c, &c->up))
			shutdown(c->server.fd, SHUT_WR);
		c->up.shut = true;
	}
	if (c->down.eof && !dir_pending(&c->down) && !c->down.shut) {
		shutdown(c->client.fd, SHUT_WR);
		c->down.shut = true;
	}
	if (dir_framed(c, &c->up))
		return c->down.shut; /* one request: its response has ended */
	return c->up.shut && c->down.shut;
}

void egress_relay_begin(struct egress_proxy *p, struct egress_conn *c)
{
	c->state = ST_RELAY;
	c->up.stopped = dir_framed(c, &c->up) && c->req.body.done;
	c->active_ns = al_now_ns();
	if (dir_flush(c, &c->up, c->server.fd) < 0) {
		c->error = al_xasprintf("writing to the server: %s", strerror(errno));
		egress_conn_close(p, c);
		return;
	}
	egress_conn_update(p, c);
}

void egress_relay_event(struct egress_proxy *p, struct egress_conn *c, bool server_side, uint32_t events)
{
	struct egress_dir *from = server_side ? &c->down : &c->up, *to = server_side ? &c->up : &c->down;
	int fd = server_side ? c->server.fd : c->client.fd, other = server_side ? c->client.fd : c->server.fd;
	bool err = events & (EPOLLERR | EPOLLHUP);
	if (((events & EPOLLOUT) || err) && dir_flush(c, to, fd) < 0)
		goto fail;
	/* a few rounds while the other side takes everything: fewer trips through epoll for bulk */
	for (int round = 0; ((events & EPOLLIN) || err) && round < 8; round++) {
		ssize_t n = dir_fill(p, c, from, fd);
		if (n < 0 || dir_flush(c, from, other) < 0)
			goto fail;
		if (n == 0 || dir_pending(from))
			break;
	}
	if (relay_settle(c)) {
		egress_conn_close(p, c);
		return;
	}
	egress_conn_update(p, c);
	return;
fail:
	if (!c->error)
		c->error =
		    al_xasprintf("%s", errno == EPROTO ? "malformed chunked request body" : strerror(errno));
	egress_conn_close(p, c);
}

void egress_relay_free(struct egress_proxy *p, struct egress_conn *c)
{
	rate_unlink(p, c);
	struct egress_dir *dirs[] = {&c->up, &c->down};
	for (size_t i = 0; i < 2; i++) {
		if (dirs[i]->pipe[0] >= 0) {
			close(dirs[i]->pipe[0]);
			close(dirs[i]->pipe[1]);
		}
		dirs[i]->pipe[0] = dirs[i]->pipe[1] = -1;
		free(dirs[i]->buf);
		dirs[i]->buf = NULL;
	}
}
