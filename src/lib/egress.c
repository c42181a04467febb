/* egress.c: the egress proxy's event loop: setup, accepting within max_conns, the timers, the control
 * socket that changes the policy, one JSON line per connection; and the parser of rates. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "egress_loop.h"
#include "util.h"

#define DEFAULT_MAX_CONNS 4096
#define MAX_CONNS_LIMIT	  (1u << 20)
#define TICK_NS		  250000000L
#define ACCEPT_BATCH	  64
#define CONTROL_MSG_MAX	  1024

/* ------------------------------------------------------------------ rates */

struct rate_unit {
	const char *name;
	uint64_t num, den; /* bytes per second = value * num / den */
};

static const struct rate_unit rate_units[] = {
    {"", 1, 1},		{"b", 1, 1},	      {"k", 1024, 1},	       {"kb", 1024, 1},
    {"kbyte", 1024, 1}, {"m", 1 << 20, 1},    {"mb", 1 << 20, 1},      {"mbyte", 1 << 20, 1},
    {"g", 1 << 30, 1},	{"gb", 1 << 30, 1},   {"gbyte", 1 << 30, 1},   {"bit", 1, 8},
    {"kbit", 1000, 8},	{"mbit", 1000000, 8}, {"gbit", 1000000000, 8},
};

int al_parse_rate(const char *s, uint64_t *bytes_per_sec, struct al_err *err)
{
	char unit[16];
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = s;
	if (!s || !isdigit((unsigned char)*p))
		return al_err_set(err, EINVAL, "rate \"%s\": not a number with a unit (10mbit, 2mb)",
				  s ? s : "");
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return al_err_set(err, ERANGE, "rate \"%s\": too large", s);
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			if (scale < 1000000000)
				frac = frac * 10 + (uint64_t)(*p - '0'), scale *= 10;
	size_t n = strcspn(p, "/");
	if (n >= sizeof unit || (p[n] && strcasecmp(p + n, "/s") != 0))
		return al_err_set(err, EINVAL, "rate \"%s\": unknown unit", s);
	memcpy(unit, p, n);
	unit[n] = '\0';
	for (size_t i = 0; i < AL_ARRAY_SIZE(rate_units); i++) {
		const struct rate_unit *u = &rate_units[i];
		if (strcasecmp(unit, u->name) != 0)
			continue;
		if (whole >= UINT64_MAX / 2 / u->num)
			return al_err_set(err, ERANGE, "rate \"%s\": too large", s);
		uint64_t v = (whole * u->num + frac * u->num / scale) / u->den;
		if (v == 0)
			return al_err_set(err, EINVAL, "rate \"%s\": must be at least 1 byte per second", s);
		*bytes_per_sec = v;
		return 0;
	}
	return al_err_set(err, EINVAL, "rate \"%s\": unknown unit (bit, kbit, mbit, gbit, b, kb, mb, gb)", s);
}

/* ------------------------------------------------------------------ epoll */

void egress_watch_set(struct egress_proxy *p, struct egress_watch *w, uint32_t events, uint64_t id)
{
	if (w->fd < 0)
		return;
	if (w->hup && !(events & (EPOLLIN | EPOLLOUT))) {
		/* a hung-up socket reports itself on every wait: out of epoll until there is work on it */
		if (w->added && epoll_ctl(p->epfd, EPOLL_CTL_DEL, w->fd, NULL) == 0)
			w->added = false;
		return;
	}
	if (w->added && w->events == events)
		return;
	struct epoll_event ev = {.events = events, .data.u64 = id};
	if (epoll_ctl(p->epfd, w->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, w->fd, &ev) == 0) {
		w->added = true;
		w->events = events;
	}
}

void egress_watch_drop(struct egress_proxy *p, struct egress_watch *w)
{
	if (w->fd >= 0) {
		if (w->added)
			epoll_ctl(p->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		close(w->fd);
	}
	*w = (struct egress_watch){.fd = -1};
}

static int watch_fd(struct egress_proxy *p, int fd, uint32_t events, uint64_t id, struct al_err *err)
{
	struct epoll_event ev = {.events = events, .data.u64 = id};
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return al_err_sys(err, errno, "egress proxy: epoll");
	return 0;
}

struct egress_conn *egress_conn_by_id(struct egress_proxy *p, uint64_t id)
{
	uint32_t slot = (uint32_t)id, gen = (uint32_t)(id >> 32);
	if (slot >= p->max_conns)
		return NULL;
	struct egress_conn *c = p->slots[slot];
	return c && c->gen == gen && !c->dead ? c : NULL;
}

/* ------------------------------------------------------------------ the log */

static void log_line(struct egress_proxy *p, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (s) {
		size_t n = strlen(s);
		s = al_xrealloc(s, n + 2);
		memcpy(s + n, "\n", 2);
		/* one write per line: lines of concurrent writers to an O_APPEND file never interleave */
		if (write(p->log_fd, s, n + 1) < 0) {
			/* a log that cannot be written does not stop the proxy */
		}
	}
	free(s);
	json_decref(o);
}

void egress_log_conn(struct egress_proxy *p, const struct egress_conn *c)
{
	if (p->log_fd < 0)
		return;
	bool known = c->req.host[0] != '\0';
	json_t *o = json_pack(
	    "{s:s, s:s, s:s?, s:s?, s:o, s:s, s:s, s:I, s:I, s:I}", "time", c->time ? c->time : "", "sandbox",
	    p->sandbox, "method", c->req.method[0] ? c->req.method : NULL, "host", known ? c->req.host : NULL,
	    "port", known ? json_integer(c->req.port) : json_null(), "decision",
	    c->allowed ? "allow" : "deny", "rule", c->rule, "bytes_up", (json_int_t)c->up.bytes, "bytes_down",
	    (json_int_t)c->down.bytes, "duration_ms", (json_int_t)((al_now_ns() - c->start_ns) / 1000000));
	if (o && c->tls)
		json_object_set_new(o, "tls", json_string(c->tls));
	if (o && c->sni)
		json_object_set_new(o, "sni", json_string(c->sni));
	if (o && c->error)
		json_object_set_new(o, "error", json_string(c->error));
	log_line(p, o);
}

/* Connections refused over max_conns: one line per second at most, with their count. */
static void log_refused(struct egress_proxy *p, uint64_t now)
{
	if (!p->refused || now - p->refused_ns < 1000000000ull)
		return;
	if (p->log_fd >= 0) {
		_cleanup_free_ char *t = al_time_now_rfc3339();
		log_line(p,
			 json_pack("{s:s, s:s, s:s, s:s, s:I}", "time", t, "sandbox", p->sandbox, "decision",
				   "deny", "rule", "max-conns", "refused", (json_int_t)p->refused));
	}
	p->refused = 0;
	p->refused_ns = now;
}

/* ------------------------------------------------------------------ accepting */

static void refuse_one(struct egress_proxy *p)
{
	/* out of descriptors: the spare one makes room to accept and close, so the backlog does not spin */
	if (p->reserve_fd >= 0) {
		close(p->reserve_fd);
		int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		p->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		p->refused++;
	}
	if (p->reserve_fd < 0) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->listen_fd, NULL);
		p->accept_paused = true;
	}
}

static void accept_clients(struct egress_proxy *p)
{
	static const int one = 1;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				refuse_one(p);
			if (errno != EINTR && errno != ECONNABORTED)
				break;
			continue;
		}
		if (p->nconns >= p->max_conns || p->nfree == 0) {
			close(fd);
			p->refused++;
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct egress_conn *c = al_xcalloc(1, sizeof *c);
		c->slot = p->free_slots[--p->nfree];
		c->gen = ++p->gen ? p->gen : ++p->gen;
		c->client = (struct egress_watch){.fd = fd};
		p->slots[c->slot] = c;
		p->nconns++;
		egress_conn_start(p, c);
	}
	log_refused(p, al_now_ns());
}

/* Free what was closed while handling the last event. */
static void reap(struct egress_proxy *p)
{
	while (p->dead) {
		struct egress_conn *c = p->dead;
		p->dead = c->dead_next;
		p->slots[c->slot] = NULL;
		p->free_slots[p->nfree++] = c->slot;
		egress_conn_free(c);
	}
}

static void tick(struct egress_proxy *p)
{
	uint64_t ticks, now = al_now_ns();
	if (read(p->tick_fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		return;
	for (unsigned i = 0; i < p->max_conns; i++)
		if (p->slots[i] && !p->slots[i]->dead)
			egress_conn_tick(p, p->slots[i], now);
	log_refused(p, now);
	if (p->accept_paused) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = egress_watch_id(W_LISTEN, 0, 0)};
		if (p->reserve_fd < 0)
			p->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->listen_fd, &ev) == 0 || errno == EEXIST)
			p->accept_paused = false;
	}
}

/* ------------------------------------------------------------------ the control socket */

/* One command, one reply: "allow PATTERN", "deny PATTERN", "ls". */
static char *control_command(struct egress_proxy *p, char *cmd)
{
	struct al_err err = {0};
	size_t n = strlen(cmd);
	while (n && isspace((unsigned char)cmd[n - 1]))
		cmd[--n] = '\0';
	if (strcmp(cmd, "ls") == 0)
		return al_egress_policy_list(&p->policy);
	bool deny = strncmp(cmd, "deny ", 5) == 0;
	if (!deny && strncmp(cmd, "allow ", 6) != 0)
		return al_xstrdup("error: unknown command (allow PATTERN, deny PATTERN, ls)");
	if (al_egress_policy_add(&p->policy, deny, cmd + (deny ? 5 : 6), &err) < 0)
		return al_xasprintf("error: %s", err.msg);
	return al_xstrdup("ok");
}

static void control_drop(struct egress_proxy *p, unsigned i)
{
	epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->peers[i].fd, NULL);
	close(p->peers[i].fd);
	p->peers[i].fd = -1;
}

static void control_accept(struct egress_proxy *p)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd = accept4(p->control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* the socket's mode is the real guard; a peer of another uid is refused all the same */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != getuid())) {
		close(fd);
		return;
	}
	for (unsigned i = 0; i < EGRESS_CONTROL_PEERS; i++) {
		if (p->peers[i].fd >= 0)
			continue;
		struct epoll_event ev = {.events = EPOLLIN,
					 .data.u64 = egress_watch_id(W_PEER, i, ++p->peers[i].gen)};
		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			break;
		p->peers[i].fd = fd;
		return;
	}
	close(fd);
}

static void control_event(struct egress_proxy *p, unsigned i, uint32_t gen)
{
	char buf[CONTROL_MSG_MAX + 1];
	if (i >= EGRESS_CONTROL_PEERS || p->peers[i].fd < 0 || p->peers[i].gen != gen)
		return;
	ssize_t n = recv(p->peers[i].fd, buf, CONTROL_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		control_drop(p, i);
		return;
	}
	_cleanup_free_ char *reply = NULL;
	if (n > CONTROL_MSG_MAX || memchr(buf, '\0', (size_t)n)) {
		reply = al_xstrdup("error: malformed command");
	} else {
		buf[n] = '\0';
		reply = control_command(p, buf);
	}
	if (send(p->peers[i].fd, reply, strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		control_drop(p, i);
}

/* ------------------------------------------------------------------ setup and the loop */

static void dispatch(struct egress_proxy *p, const struct epoll_event *ev)
{
	uint64_t d = ev->data.u64;
	uint32_t index = (uint32_t)(d >> 4) & 0x0fffffffu, gen = (uint32_t)(d >> 32);
	struct egress_conn *c;
	switch ((enum egress_watch_kind)(d & 15)) {
	case W_LISTEN:
		accept_clients(p);
		break;
	case W_CONTROL:
		control_accept(p);
		break;
	case W_PEER:
		control_event(p, index, gen);
		break;
	case W_TICK:
		tick(p);
		break;
	case W_RATE:
		egress_rate_timer(p);
		break;
	case W_DNS_TIMER:
		egress_dns_timer(p);
		break;
	case W_DNS:
		egress_dns_event(p, (int)index, ev->events);
		break;
	case W_CLIENT:
	case W_SERVER:
		c = egress_conn_by_id(p, (uint64_t)gen << 32 | index);
		if (!c)
			break;
		if (ev->events & EPOLLHUP)
			((d & 15) == W_SERVER ? &c->server : &c->client)->hup = true;
		egress_conn_event(p, c, (d & 15) == W_SERVER, ev->events);
		break;
	}
	reap(p);
}

/* Raise the descriptor limit to its hard limit; returns the limit in force. */
static rlim_t raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur;
}

/* A relayed connection holds up to six descriptors (client, server, two splice pipes): the cap on
 * connections follows the descriptor limit, so that the connections it admits can all be served and
 * a fresh one is refused cleanly rather than failing with EMFILE half-way. */
#define FDS_PER_CONN 6
#define FDS_SPARE    64

static int make_timer(struct egress_proxy *p, int *fd, enum egress_watch_kind kind, long period_ns,
		      struct al_err *err)
{
	*fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (*fd < 0)
		return al_err_sys(err, errno, "egress proxy: timerfd");
	if (period_ns) {
		struct itimerspec its = {.it_interval = {.tv_nsec = period_ns},
					 .it_value = {.tv_nsec = period_ns}};
		timerfd_settime(*fd, 0, &its, NULL);
	}
	return watch_fd(p, *fd, EPOLLIN, egress_watch_id(kind, 0, 0), err);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int setup_policy(struct egress_proxy *p, const struct al_egress_config *cfg, struct al_err *err)
{
	for (size_t i = 0; cfg->deny && cfg->deny[i]; i++)
		if (al_egress_policy_add(&p->policy, true, cfg->deny[i], err) < 0)
			return al_err_prefix(err, "--deny-host");
	for (size_t i = 0; cfg->allow && cfg->allow[i]; i++)
		if (al_egress_policy_add(&p->policy, false, cfg->allow[i], err) < 0)
			return al_err_prefix(err, "--allow-host");
	return 0;
}

static int setup(struct egress_proxy *p, const struct al_egress_config *cfg, struct al_err *err)
{
	p->sandbox = cfg->sandbox ? cfg->sandbox : "-";
	p->max_conns = cfg->max_conns ? cfg->max_conns : DEFAULT_MAX_CONNS;
	if (p->max_conns > MAX_CONNS_LIMIT)
		p->max_conns = MAX_CONNS_LIMIT;
	rlim_t fds = raise_fd_limit();
	if (fds != RLIM_INFINITY && fds > FDS_SPARE + FDS_PER_CONN &&
	    p->max_conns > (fds - FDS_SPARE) / FDS_PER_CONN)
		p->max_conns = (unsigned)((fds - FDS_SPARE) / FDS_PER_CONN);
	if (setup_policy(p, cfg, err) < 0)
		return -1;
	p->slots = al_xcalloc(p->max_conns, sizeof *p->slots);
	p->free_slots = al_xcalloc(p->max_conns, sizeof *p->free_slots);
	for (unsigned i = 0; i < p->max_conns; i++)
		p->free_slots[p->nfree++] = p->max_conns - 1 - i;
	egress_rate_init(p, cfg->rate_bytes_per_sec);
	if ((p->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return al_err_sys(err, errno, "egress proxy: epoll");
	if (egress_dns_init(p, cfg->pins, cfg->dns_servers, err) < 0)
		return -1;
	if (set_nonblock(p->listen_fd) < 0)
		return al_err_sys(err, errno, "egress proxy: the listening socket");
	if (watch_fd(p, p->listen_fd, EPOLLIN, egress_watch_id(W_LISTEN, 0, 0), err) < 0)
		return -1;
	if (p->control_fd >= 0 &&
	    (set_nonblock(p->control_fd) < 0 ||
	     watch_fd(p, p->control_fd, EPOLLIN, egress_watch_id(W_CONTROL, 0, 0), err) < 0))
		return al_err_sys(err, errno, "egress proxy: the control socket");
	if (make_timer(p, &p->tick_fd, W_TICK, TICK_NS, err) < 0 ||
	    make_timer(p, &p->rate_fd, W_RATE, 0, err) < 0)
		return -1;
	if (watch_fd(p, egress_dns_timer_fd(p), EPOLLIN, egress_watch_id(W_DNS_TIMER, 0, 0), err) < 0)
		return -1;
	p->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* a log read through a pipe must not stall the loop when its reader does: lines are dropped then */
	struct stat st;
	if (p->log_fd >= 0 && fstat(p->log_fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		set_nonblock(p->log_fd);
	return 0;
}

static void teardown(struct egress_proxy *p)
{
	int *fds[] = {&p->epfd,	   &p->listen_fd, &p->control_fd, &p->log_fd,
		      &p->tick_fd, &p->rate_fd,	  &p->reserve_fd};
	for (size_t i = 0; i < AL_ARRAY_SIZE(fds); i++)
		al_closep(fds[i]);
	egress_dns_free(p);
	al_egress_policy_free(&p->policy);
	free(p->slots);
	free(p->free_slots);
}

int al_egress_serve(const struct al_egress_config *cfg, struct al_err *err)
{
	struct egress_proxy p = {.epfd = -1,
				 .listen_fd = cfg->listen_fd,
				 .control_fd = cfg->control_fd,
				 .log_fd = cfg->log_fd,
				 .tick_fd = -1,
				 .rate_fd = -1,
				 .reserve_fd = -1};
	for (unsigned i = 0; i < EGRESS_CONTROL_PEERS; i++)
		p.peers[i].fd = -1;
	signal(SIGPIPE, SIG_IGN);
	if (setup(&p, cfg, err) < 0) {
		teardown(&p);
		return -1;
	}
	struct epoll_event events[256];
	for (;;) {
		int n = epoll_wait(p.epfd, events, (int)AL_ARRAY_SIZE(events), -1);
		if (n < 0 && errno != EINTR) {
			al_err_sys(err, errno, "egress proxy: epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++)
			dispatch(&p, &events[i]);
	}
	teardown(&p);
	return -1;
}
