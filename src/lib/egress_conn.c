/* egress_conn.c: one client connection of the egress proxy, from its first byte to the relay: the request
 * (HTTP or SOCKS5), the decision, resolution, connecting, the ClientHello check of a CONNECT tunnel, and
 * the answers (403 with an explanation, 502, 408, 431, 400), each bounded in time and size. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "egress_loop.h"
#include "util.h"

#define SOCKS_HANDSHAKE_MAX 1024
#define LINGER_DISCARD_MAX  (1u << 20)

static const char established[] = "HTTP/1.1 200 Connection established\r\n\r\n";

/* "host:port" with an IPv6 literal in brackets. */
static void host_port(const struct egress_conn *c, char *out, size_t cap)
{
	bool v6 = strchr(c->req.host, ':') != NULL;
	snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", c->req.host, v6 ? "]" : "", c->req.port);
}

void egress_conn_update(struct egress_proxy *p, struct egress_conn *c)
{
	uint32_t cl = 0, sv = 0;
	if (c->dead)
		return;
	switch (c->state) {
	case ST_HEAD:
		cl = EPOLLIN | (c->msg_off < c->msg_len ? EPOLLOUT : 0u);
		break;
	case ST_RESOLVE:
		break;
	case ST_CONNECT:
		sv = EPOLLOUT;
		break;
	case ST_REPLY:
	case ST_ANSWER:
		cl = EPOLLOUT;
		break;
	case ST_RELAY:
		egress_relay_interest(p, c, &cl, &sv);
		break;
	case ST_LINGER:
		cl = EPOLLIN;
		break;
	}
	egress_watch_set(p, &c->client, cl, egress_watch_id(W_CLIENT, c->slot, c->gen));
	egress_watch_set(p, &c->server, sv, egress_watch_id(W_SERVER, c->slot, c->gen));
}

void egress_conn_close(struct egress_proxy *p, struct egress_conn *c)
{
	if (c->dead)
		return;
	if (!c->rule[0])
		snprintf(c->rule, sizeof c->rule, "bad-request");
	egress_log_conn(p, c);
	egress_watch_drop(p, &c->client);
	egress_watch_drop(p, &c->server);
	egress_relay_free(p, c);
	c->dead = true;
	c->dead_next = p->dead;
	p->dead = c;
	p->nconns--;
}

void egress_conn_free(struct egress_conn *c)
{
	free(c->head);
	free(c->time);
	free(c->sni);
	free(c->error);
	free(c->msg);
	al_http_request_free(&c->req);
	free(c);
}

void egress_conn_start(struct egress_proxy *p, struct egress_conn *c)
{
	c->state = ST_HEAD;
	c->start_ns = c->active_ns = al_now_ns();
	c->deadline_ns = c->start_ns + EGRESS_HEAD_TIMEOUT_NS;
	c->time = al_time_now_rfc3339();
	c->server.fd = -1;
	c->up.pipe[0] = c->up.pipe[1] = c->down.pipe[0] = c->down.pipe[1] = -1;
	egress_conn_update(p, c);
}

/* ------------------------------------------------------------------ our own words to the client */

static void __attribute__((format(printf, 2, 3))) set_error(struct egress_conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(c->error);
	if (vasprintf(&c->error, fmt, ap) < 0)
		c->error = NULL;
	va_end(ap);
}

static void say(struct egress_conn *c, const void *data, size_t n)
{
	c->msg = al_xrealloc(c->msg, c->msg_len + n);
	memcpy(c->msg + c->msg_len, data, n);
	c->msg_len += n;
}

/* Write what we have to say; 1 when all is out, 0 when it waits for EPOLLOUT, -1 on an error. */
static int say_flush(struct egress_conn *c)
{
	while (c->msg_off < c->msg_len) {
		ssize_t n = send(c->client.fd, c->msg + c->msg_off, c->msg_len - c->msg_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->msg_off += (size_t)n;
	}
	free(c->msg);
	c->msg = NULL;
	c->msg_len = c->msg_off = 0;
	return 1;
}

static void linger_begin(struct egress_proxy *p, struct egress_conn *c)
{
	shutdown(c->client.fd, SHUT_WR);
	c->state = ST_LINGER;
	c->deadline_ns = al_now_ns() + EGRESS_LINGER_NS;
	c->head_len = 0;
	egress_conn_update(p, c);
}

/* A final answer: an HTTP response (code and text) or a SOCKS reply (rep); then the connection ends. */
static void answer(struct egress_proxy *p, struct egress_conn *c, int code, uint8_t rep, const char *text)
{
	egress_watch_drop(p, &c->server);
	if (c->socks) {
		uint8_t r[10];
		al_socks_reply(r, rep);
		say(c, r, sizeof r);
	} else {
		size_t n;
		_cleanup_free_ char *s = al_http_answer(code, text, &n);
		say(c, s, n);
	}
	c->state = ST_ANSWER;
	c->deadline_ns = al_now_ns() + EGRESS_HEAD_TIMEOUT_NS;
	int r = say_flush(c);
	if (r < 0)
		egress_conn_close(p, c);
	else if (r > 0)
		linger_begin(p, c);
	else
		egress_conn_update(p, c);
}

static void bad_request(struct egress_proxy *p, struct egress_conn *c, int code, uint8_t rep, const char *why)
{
	char text[512];
	snprintf(c->rule, sizeof c->rule, "bad-request");
	set_error(c, "%s", why);
	snprintf(text, sizeof text, "airlock: bad proxy request: %s.\n", why);
	answer(p, c, code, rep, text);
}

static void deny(struct egress_proxy *p, struct egress_conn *c, bool by_rule, const char *internal)
{
	char hp[AL_EGRESS_HOST_MAX + 16], literal[AL_EGRESS_HOST_MAX + 2], text[2048];
	const char *s = p->sandbox, *h = c->req.host;
	bool v6 = strchr(h, ':') != NULL;
	host_port(c, hp, sizeof hp);
	snprintf(literal, sizeof literal, "%s%s%s", v6 ? "[" : "", h, v6 ? "]" : "");
	c->allowed = false;
	if (internal && c->req.host_is_ip)
		snprintf(
		    text, sizeof text,
		    "airlock: egress to %s denied for sandbox %s (%s is an internal address: only an allow "
		    "rule naming it exactly reaches it, --allow-host %s).\n",
		    hp, s, h, literal);
	else if (internal)
		snprintf(
		    text, sizeof text,
		    "airlock: egress to %s denied for sandbox %s (%s resolves to the internal address %s; a "
		    "name reaching the host's own services must be pinned: --add-host %s:%s).\n",
		    hp, s, h, internal, h, internal);
	else if (by_rule)
		snprintf(
		    text, sizeof text,
		    "airlock: egress to %s denied for sandbox %s (denied by --deny-host %s, which wins over "
		    "any allow rule).\n",
		    hp, s, c->rule);
	else
		snprintf(text, sizeof text,
			 "airlock: egress to %s denied for sandbox %s (no --allow-host rule matches). To "
			 "allow it: "
			 "airlock network allow %s %s (or --allow-host %s when creating the sandbox).\n",
			 hp, s, s, h, h);
	answer(p, c, 403, AL_SOCKS_NOT_ALLOWED, text);
}

static uint8_t socks_rep_of(int err)
{
	return err == ECONNREFUSED ? AL_SOCKS_REFUSED : AL_SOCKS_HOST_UNREACHABLE;
}

static void connect_failed(struct egress_proxy *p, struct egress_conn *c, const char *why)
{
	char hp[AL_EGRESS_HOST_MAX + 16], text[1024];
	host_port(c, hp, sizeof hp);
	snprintf(c->rule, sizeof c->rule, "connect-failed");
	set_error(c, "%s", why ? why : strerror(c->last_errno ? c->last_errno : EHOSTUNREACH));
	snprintf(text, sizeof text, "airlock: could not connect to %s: %s.\n", hp, c->error);
	answer(p, c, 502, why ? AL_SOCKS_HOST_UNREACHABLE : socks_rep_of(c->last_errno), text);
}

/* ------------------------------------------------------------------ connecting */

static void relay_start(struct egress_proxy *p, struct egress_conn *c);

static void connected(struct egress_proxy *p, struct egress_conn *c)
{
	c->state = ST_REPLY;
	c->deadline_ns = al_now_ns() + EGRESS_HEAD_TIMEOUT_NS;
	if (c->socks) {
		uint8_t r[10];
		al_socks_reply(r, AL_SOCKS_OK);
		say(c, r, sizeof r);
	} else if (c->req.connect) {
		say(c, established, sizeof established - 1);
		c->sni_check = true;
	}
	int r = say_flush(c);
	if (r < 0)
		egress_conn_close(p, c);
	else if (r > 0)
		relay_start(p, c);
	else
		egress_conn_update(p, c);
}

static void try_connect(struct egress_proxy *p, struct egress_conn *c)
{
	static const int one = 1;
	while (c->next_addr < c->naddrs) {
		unsigned i = c->next_addr++;
		const struct sockaddr *sa = (const struct sockaddr *)&c->addrs[i];
		int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			c->last_errno = errno;
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->server = (struct egress_watch){.fd = fd};
		if (connect(fd, sa, c->addr_lens[i]) == 0) {
			connected(p, c);
			return;
		}
		if (errno == EINPROGRESS) {
			c->state = ST_CONNECT;
			c->deadline_ns = al_now_ns() + EGRESS_CONNECT_TIMEOUT_NS;
			egress_conn_update(p, c);
			return;
		}
		c->last_errno = errno;
		egress_watch_drop(p, &c->server);
	}
	connect_failed(p, c, NULL);
}

static void connect_event(struct egress_proxy *p, struct egress_conn *c, uint32_t events)
{
	int soerr = 0;
	socklen_t len = sizeof soerr;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof peer;
	if (getsockopt(c->server.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	/* getpeername: an event of an earlier attempt must not pass for this one's */
	if (soerr == 0 && getpeername(c->server.fd, (struct sockaddr *)&peer, &plen) == 0) {
		connected(p, c);
		return;
	}
	if (soerr == 0 && !(events & (EPOLLERR | EPOLLHUP)))
		return; /* still in progress */
	c->last_errno = soerr ? soerr : ECONNREFUSED;
	egress_watch_drop(p, &c->server);
	try_connect(p, c);
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

void egress_conn_resolved(struct egress_proxy *p, struct egress_conn *c, const struct sockaddr *const *addrs,
			  size_t n, bool pinned, const char *error)
{
	char internal[INET6_ADDRSTRLEN] = "";
	if (c->dead || c->state != ST_RESOLVE)
		return;
	if (n == 0) {
		char why[512];
		snprintf(why, sizeof why, "could not resolve %s: %s", c->req.host,
			 error ? error : "no address");
		connect_failed(p, c, why);
		return;
	}
	for (size_t i = 0; i < n && c->naddrs < AL_EGRESS_ADDRS_MAX; i++) {
		socklen_t len =
		    addrs[i]->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (!pinned && al_egress_addr_internal(addrs[i])) {
			/* the name is allowed, the place is not: the host's own services stay out of reach */
			const void *bin =
			    addrs[i]->sa_family == AF_INET
				? (const void *)&((const struct sockaddr_in *)addrs[i])->sin_addr
				: (const void *)&((const struct sockaddr_in6 *)addrs[i])->sin6_addr;
			if (!internal[0])
				inet_ntop(addrs[i]->sa_family, bin, internal, sizeof internal);
			continue;
		}
		memcpy(&c->addrs[c->naddrs], addrs[i], len);
		set_port(&c->addrs[c->naddrs], c->req.port);
		c->addr_lens[c->naddrs++] = len;
	}
	if (c->naddrs == 0) {
		snprintf(c->rule, sizeof c->rule, "internal-address");
		deny(p, c, false, internal);
		return;
	}
	try_connect(p, c);
}

/* ------------------------------------------------------------------ deciding */

/* An IP literal is its own address; reaching an internal one needs an allow rule naming it exactly. */
static void literal_address(struct egress_proxy *p, struct egress_conn *c, bool exact)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, c->req.host, &in4->sin_addr) == 1)
		in4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, c->req.host, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	const struct sockaddr *a = (const struct sockaddr *)&ss;
	c->state = ST_RESOLVE;
	egress_conn_resolved(p, c, &a, 1, exact, NULL);
}

static void decide(struct egress_proxy *p, struct egress_conn *c)
{
	struct al_egress_verdict v;
	al_egress_decide(&p->policy, c->req.host, c->req.port, &v);
	snprintf(c->rule, sizeof c->rule, "%s", v.rule);
	c->allowed = v.allow;
	if (!v.allow) {
		deny(p, c, v.by_deny_rule, NULL);
		return;
	}
	if (c->req.host_is_ip) {
		literal_address(p, c, v.exact);
		return;
	}
	c->state = ST_RESOLVE;
	c->deadline_ns = al_now_ns() + EGRESS_RESOLVE_TIMEOUT_NS;
	egress_conn_update(p, c);
	egress_dns_lookup(p, c); /* may answer at once: c is not touched after it */
}

/* Keep the bytes after the request at the start of the head buffer (a ClientHello, a body). */
static void keep_rest(struct egress_conn *c, size_t used)
{
	memmove(c->head, c->head + used, c->head_len - used);
	c->head_len -= used;
}

static void http_progress(struct egress_proxy *p, struct egress_conn *c)
{
	int code;
	const char *why;
	if (!al_http_start_ok((const char *)c->head, c->head_len < 16 ? c->head_len : 16)) {
		bad_request(p, c, 400, 0, "neither an HTTP proxy request nor SOCKS5");
		return;
	}
	size_t end = al_http_head_end((const char *)c->head, c->head_len, c->head_scanned);
	c->head_scanned = c->head_len;
	if (!end) {
		if (c->head_len >= AL_EGRESS_HEAD_MAX)
			bad_request(p, c, 431, 0, "request head larger than 16 KiB");
		return;
	}
	if (al_http_parse_head((const char *)c->head, end, &c->req, &code, &why) < 0) {
		bad_request(p, c, code, 0, why);
		return;
	}
	keep_rest(c, end);
	decide(p, c);
}

static void socks_progress(struct egress_proxy *p, struct egress_conn *c)
{
	static const uint8_t no_auth[2] = {5, 0}, no_method[2] = {5, 0xff};
	struct al_socks_request sr;
	size_t used;
	uint8_t rep;
	if (!c->socks_greeting) {
		enum al_socks_status st = al_socks_parse_greeting(c->head, c->head_len, &used);
		if (st == AL_SOCKS_MORE)
			return;
		if (st == AL_SOCKS_BAD) {
			snprintf(c->rule, sizeof c->rule, "bad-request");
			set_error(c, "%s", "SOCKS5 greeting without the no-authentication method");
			say(c, no_method, sizeof no_method);
			c->state = ST_ANSWER;
			egress_conn_update(p, c);
			return;
		}
		c->socks_greeting = used;
		say(c, no_auth, sizeof no_auth);
		if (say_flush(c) < 0) {
			egress_conn_close(p, c);
			return;
		}
	}
	enum al_socks_status st = al_socks_parse_request(c->head + c->socks_greeting,
							 c->head_len - c->socks_greeting, &sr, &used, &rep);
	if (st == AL_SOCKS_MORE && c->head_len >= SOCKS_HANDSHAKE_MAX)
		st = AL_SOCKS_BAD;
	if (st == AL_SOCKS_MORE)
		return;
	if (st == AL_SOCKS_BAD) {
		bad_request(p, c, 400, rep, "malformed or unsupported SOCKS5 request");
		return;
	}
	snprintf(c->req.method, sizeof c->req.method, "SOCKS5");
	memcpy(c->req.host, sr.host, sizeof sr.host);
	c->req.host_is_ip = sr.host_is_ip;
	c->req.port = sr.port;
	keep_rest(c, c->socks_greeting + used);
	decide(p, c);
}

/* Read more of the request into the head buffer, growing it up to AL_EGRESS_HEAD_MAX. 1 with bytes, 0 when
 * there are none yet, -1 when the client is gone. */
static int head_read(struct egress_conn *c)
{
	if (c->head_len == c->head_cap) {
		if (c->head_cap >= AL_EGRESS_HEAD_MAX)
			return 0;
		c->head_cap = c->head_cap ? 2 * c->head_cap : 2048;
		c->head = al_xrealloc(c->head, c->head_cap);
	}
	ssize_t n = recv(c->client.fd, c->head + c->head_len, c->head_cap - c->head_len, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	c->head_len += (size_t)n;
	return 1;
}

static void head_event(struct egress_proxy *p, struct egress_conn *c, uint32_t events)
{
	if ((events & EPOLLOUT) && say_flush(c) < 0) {
		egress_conn_close(p, c);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		egress_conn_update(p, c);
		return;
	}
	int r = head_read(c);
	if (r < 0) {
		set_error(c, "%s", c->head_len ? "the client left mid-request" : "the client sent nothing");
		egress_conn_close(p, c);
		return;
	}
	if (r == 0)
		return;
	c->socks = c->head[0] == 5;
	if (c->socks)
		socks_progress(p, c);
	else
		http_progress(p, c);
	if (!c->dead && c->state == ST_HEAD)
		egress_conn_update(p, c);
}

/* ------------------------------------------------------------------ the ClientHello of a tunnel */

static void head_free(struct egress_conn *c)
{
	free(c->head);
	c->head = NULL;
	c->head_len = c->head_cap = c->head_scanned = 0;
}

static void hello_release(struct egress_proxy *p, struct egress_conn *c, const char *tls)
{
	c->tls = tls;
	c->sni_check = false;
	c->up.buf = al_xmalloc(AL_EGRESS_RELAY_BUF);
	memcpy(c->up.buf, c->head, c->head_len);
	c->up.len = c->head_len;
	head_free(c);
	egress_relay_begin(p, c);
}

/* Check what the client sent so far in a CONNECT tunnel: the SNI of a ClientHello must be the host. */
static void hello_check(struct egress_proxy *p, struct egress_conn *c)
{
	char sni[AL_EGRESS_HOST_MAX], norm[AL_EGRESS_HOST_MAX];
	bool is_ip;
	const char *why;
	switch (al_tls_client_hello_sni(c->head, c->head_len, sni)) {
	case AL_TLS_MORE:
		return;
	case AL_TLS_NOT_TLS:
		hello_release(p, c, "not-tls");
		return;
	case AL_TLS_NO_SNI:
		hello_release(p, c, "no-sni");
		return;
	case AL_TLS_SNI:
		c->sni = al_xstrdup(sni);
		if (al_egress_host_normalize(sni, strlen(sni), norm, &is_ip, &why) == 0 &&
		    strcmp(norm, c->req.host) == 0) {
			hello_release(p, c, "sni");
			return;
		}
		c->allowed = false;
		c->tls = "sni";
		snprintf(c->rule, sizeof c->rule, "sni-mismatch");
		set_error(c, "TLS server name %s is not the CONNECT host", sni);
		break;
	case AL_TLS_MALFORMED:
		c->allowed = false;
		c->tls = "malformed";
		snprintf(c->rule, sizeof c->rule, "bad-request");
		set_error(c, "%s", "malformed TLS ClientHello");
		break;
	}
	egress_conn_close(p, c);
}

static void hello_event(struct egress_proxy *p, struct egress_conn *c, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		bool first = c->head_len == 0;
		int r = head_read(c);
		if (r < 0 && c->head_len == 0) {
			c->tls = "none"; /* the client ended without a byte: an ordinary end */
			c->sni_check = false;
			c->up.eof = true;
		} else if (r < 0) {
			set_error(c, "%s", "the client left mid-ClientHello");
			egress_conn_close(p, c);
			return;
		} else if (r > 0) {
			if (first)
				c->deadline_ns = al_now_ns() + EGRESS_HEAD_TIMEOUT_NS;
			hello_check(p, c);
			if (c->dead || !c->sni_check)
				return;
		}
	}
	egress_relay_event(p, c, false, events & EPOLLOUT);
}

static void relay_start(struct egress_proxy *p, struct egress_conn *c)
{
	if (c->sni_check) {
		c->state = ST_RELAY;
		c->active_ns = al_now_ns();
		c->deadline_ns = c->active_ns + EGRESS_HEAD_TIMEOUT_NS;
		if (c->head_len)
			hello_check(p, c);
		if (!c->dead && c->sni_check)
			egress_conn_update(p, c);
		return;
	}
	/* the rewritten head (HTTP) and whatever the client sent after its request */
	c->up.buf = al_xmalloc(AL_EGRESS_RELAY_BUF);
	if (c->req.forward) {
		memcpy(c->up.buf, c->req.forward, c->req.forward_len);
		c->up.len = c->req.forward_len;
		ssize_t keep = al_http_body_feed(&c->req.body, (const char *)c->head, c->head_len);
		if (keep < 0) {
			set_error(c, "%s", "malformed chunked request body");
			egress_conn_close(p, c);
			return;
		}
		c->head_len = (size_t)keep;
	}
	memcpy(c->up.buf + c->up.len, c->head, c->head_len);
	c->up.len += c->head_len;
	head_free(c);
	al_http_request_free(&c->req);
	egress_relay_begin(p, c);
}

/* ------------------------------------------------------------------ events and time */

static void linger_event(struct egress_proxy *p, struct egress_conn *c)
{
	char scratch[16384];
	for (int i = 0; i < 4; i++) {
		ssize_t n = recv(c->client.fd, scratch, sizeof scratch, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		c->head_len += n > 0 ? (size_t)n : 0;
		if (n <= 0 || c->head_len > LINGER_DISCARD_MAX) {
			egress_conn_close(p, c);
			return;
		}
	}
}

void egress_conn_event(struct egress_proxy *p, struct egress_conn *c, bool server_side, uint32_t events)
{
	int r;
	switch (c->state) {
	case ST_HEAD:
		head_event(p, c, events);
		return;
	case ST_RESOLVE:
		if (events & (EPOLLERR | EPOLLHUP))
			egress_conn_close(p, c); /* the client is gone */
		return;
	case ST_CONNECT:
		if (server_side)
			connect_event(p, c, events);
		else if (events & (EPOLLERR | EPOLLHUP))
			egress_conn_close(p, c);
		return;
	case ST_REPLY:
	case ST_ANSWER:
		if (server_side)
			return;
		r = say_flush(c);
		if (r < 0)
			egress_conn_close(p, c);
		else if (r > 0 && c->state == ST_REPLY)
			relay_start(p, c);
		else if (r > 0)
			linger_begin(p, c);
		return;
	case ST_RELAY:
		if (!server_side && c->sni_check)
			hello_event(p, c, events);
		else
			egress_relay_event(p, c, server_side, events);
		return;
	case ST_LINGER:
		linger_event(p, c);
		return;
	}
}

void egress_conn_tick(struct egress_proxy *p, struct egress_conn *c, uint64_t now)
{
	switch (c->state) {
	case ST_HEAD:
		if (now < c->deadline_ns)
			return;
		snprintf(c->rule, sizeof c->rule, "timeout");
		set_error(c, "%s", "no complete request within 10 s");
		if (c->head_len && !c->socks)
			answer(p, c, 408, 0, "airlock: the request head did not arrive within 10 s.\n");
		else
			egress_conn_close(p, c);
		return;
	case ST_RESOLVE:
		if (now >= c->deadline_ns)
			connect_failed(p, c, "resolving timed out");
		return;
	case ST_CONNECT:
		if (now < c->deadline_ns)
			return;
		c->last_errno = ETIMEDOUT;
		egress_watch_drop(p, &c->server);
		try_connect(p, c);
		return;
	case ST_RELAY:
		if (c->sni_check && c->head_len && now >= c->deadline_ns) {
			c->allowed = false;
			snprintf(c->rule, sizeof c->rule, "timeout");
			set_error(c, "%s", "no complete TLS ClientHello within 10 s");
			egress_conn_close(p, c);
		} else if (now - c->active_ns >= EGRESS_IDLE_TIMEOUT_NS) {
			set_error(c, "%s", "idle for 10 minutes");
			egress_conn_close(p, c);
		}
		return;
	case ST_REPLY:
	case ST_ANSWER:
	case ST_LINGER:
		if (now >= c->deadline_ns)
			egress_conn_close(p, c);
		return;
	}
}
