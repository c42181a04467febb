/* egress_dns.c: the egress proxy's resolver: pinned names (--add-host) answered from memory, every other
 * name asynchronously by c-ares, whose sockets and timer join the proxy's epoll. Never blocks. */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "egress_loop.h"
#include "util.h"

struct egress_pin {
	char name[AL_EGRESS_HOST_MAX];
	struct sockaddr_storage addr;
};

struct egress_dns {
	ares_channel channel;
	int timer_fd;
	struct egress_pin *pins;
	size_t npins;
};

/* What a query in flight remembers: the connection may be gone when the answer comes. */
struct query {
	struct egress_proxy *p;
	uint64_t conn_id;
};

static int parse_ip(const char *s, struct sockaddr_storage *ss)
{
	char text[AL_EGRESS_HOST_MAX];
	size_t n = strlen(s);
	if (n >= sizeof text)
		return -1;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
		s++, n -= 2;
	memcpy(text, s, n);
	text[n] = '\0';
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, text, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

/* "NAME:IP" (or "NAME=IP"; IPv6 with or without brackets). */
static int parse_pin(const char *s, struct egress_pin *pin, struct al_err *err)
{
	size_t n = strcspn(s, ":=");
	bool is_ip = false;
	const char *why = "no ':' between name and address";
	if (s[n] == '\0' || al_egress_host_normalize(s, n, pin->name, &is_ip, &why) < 0 || is_ip)
		return al_err_set(err, EINVAL, "--add-host \"%.300s\": %s", s,
				  is_ip ? "a name is needed" : why);
	if (parse_ip(s + n + 1, &pin->addr) < 0)
		return al_err_set(err, EINVAL, "--add-host \"%.300s\": not an IP address: %s", s, s + n + 1);
	return 0;
}

static void arm_timer(struct egress_dns *d)
{
	struct timeval tv, *t = ares_timeout(d->channel, NULL, &tv);
	struct itimerspec its = {0};
	if (t) {
		its.it_value.tv_sec = t->tv_sec;
		its.it_value.tv_nsec = t->tv_usec * 1000L;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(d->timer_fd, 0, &its, NULL);
}

/* c-ares tells which of its sockets to watch. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct egress_proxy *p = data;
	struct epoll_event ev = {.events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u),
				 .data.u64 = egress_watch_id(W_DNS, (uint32_t)fd, 0)};
	if (!readable && !writable) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int egress_dns_init(struct egress_proxy *p, char **pins, const char *servers, struct al_err *err)
{
	struct egress_dns *d = al_xcalloc(1, sizeof *d);
	d->timer_fd = -1;
	p->dns = d;
	for (size_t i = 0; pins && pins[i]; i++) {
		d->pins = al_xrealloc(d->pins, (d->npins + 1) * sizeof *d->pins);
		if (parse_pin(pins[i], &d->pins[d->npins++], err) < 0)
			return -1;
	}
	int r = ares_library_init(ARES_LIB_INIT_ALL);
	if (r != ARES_SUCCESS)
		return al_err_set(err, 0, "egress resolver: %s", ares_strerror(r));
	struct ares_options opts = {
	    .sock_state_cb = sock_state, .sock_state_cb_data = p, .timeout = 2000, .tries = 2};
	r = ares_init_options(&d->channel, &opts,
			      ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (r != ARES_SUCCESS) {
		d->channel = NULL;
		return al_err_set(err, 0, "egress resolver: %s", ares_strerror(r));
	}
	if (servers && (r = ares_set_servers_ports_csv(d->channel, servers)) != ARES_SUCCESS)
		return al_err_set(err, EINVAL, "egress resolver \"%s\": %s", servers, ares_strerror(r));
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timer_fd < 0)
		return al_err_sys(err, errno, "egress resolver: timerfd");
	return 0;
}

int egress_dns_timer_fd(const struct egress_proxy *p)
{
	return p->dns->timer_fd;
}

void egress_dns_free(struct egress_proxy *p)
{
	struct egress_dns *d = p->dns;
	if (!d)
		return;
	if (d->channel)
		ares_destroy(d->channel);
	al_closep(&d->timer_fd);
	free(d->pins);
	free(d);
	p->dns = NULL;
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct query *q = arg;
	struct egress_conn *c = egress_conn_by_id(q->p, q->conn_id);
	const struct sockaddr *addrs[AL_EGRESS_ADDRS_MAX];
	size_t n = 0;
	if (c && c->state == ST_RESOLVE) {
		for (struct ares_addrinfo_node *a = res ? res->nodes : NULL; a && n < AL_EGRESS_ADDRS_MAX;
		     a = a->ai_next)
			if (a->ai_family == AF_INET || a->ai_family == AF_INET6)
				addrs[n++] = a->ai_addr;
		const char *why = status != ARES_SUCCESS ? ares_strerror(status) : n ? NULL : "no address";
		egress_conn_resolved(q->p, c, addrs, n, false, why);
	}
	if (res)
		ares_freeaddrinfo(res);
	free(q);
}

void egress_dns_lookup(struct egress_proxy *p, struct egress_conn *c)
{
	struct egress_dns *d = p->dns;
	for (size_t i = 0; i < d->npins; i++)
		if (strcmp(d->pins[i].name, c->req.host) == 0) {
			const struct sockaddr *a = (const struct sockaddr *)&d->pins[i].addr;
			egress_conn_resolved(p, c, &a, 1, true, NULL);
			return;
		}
	struct query *q = al_xmalloc(sizeof *q);
	*q = (struct query){.p = p, .conn_id = egress_conn_id(c)};
	struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	ares_getaddrinfo(d->channel, c->req.host, NULL, &hints, on_addrinfo, q);
	arm_timer(d);
}

void egress_dns_event(struct egress_proxy *p, int fd, uint32_t events)
{
	bool in = events & (EPOLLIN | EPOLLERR | EPOLLHUP), out = events & (EPOLLOUT | EPOLLERR);
	ares_process_fd(p->dns->channel, in ? fd : ARES_SOCKET_BAD, out ? fd : ARES_SOCKET_BAD);
	arm_timer(p->dns);
}

void egress_dns_timer(struct egress_proxy *p)
{
	uint64_t ticks;
	if (read(p->dns->timer_fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		return;
	ares_process_fd(p->dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	arm_timer(p->dns);
}
