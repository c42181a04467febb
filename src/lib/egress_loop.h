/* egress_loop.h: the event loop of the egress proxy and its connections, shared by egress.c (the loop),
 * egress_conn.c (a connection from request to relay), egress_relay.c (bytes and rate) and egress_dns.c. */
#pragma once

#include <sys/socket.h>

#include "egress_internal.h"

#define EGRESS_HEAD_TIMEOUT_NS	  (10ull * 1000000000)
#define EGRESS_CONNECT_TIMEOUT_NS (10ull * 1000000000)
#define EGRESS_RESOLVE_TIMEOUT_NS (30ull * 1000000000)
#define EGRESS_IDLE_TIMEOUT_NS	  (600ull * 1000000000)
#define EGRESS_LINGER_NS	  (2ull * 1000000000)
#define EGRESS_CONTROL_PEERS	  16

/* What an epoll event is about: the low 4 bits of its data, an index above, a generation in the high 32
 * bits so that an event for a connection closed earlier in the same batch is recognized and dropped. */
enum egress_watch_kind {
	W_LISTEN = 1,
	W_CONTROL,
	W_PEER,
	W_TICK,
	W_RATE,
	W_DNS_TIMER,
	W_DNS,
	W_CLIENT,
	W_SERVER
};

static inline uint64_t egress_watch_id(enum egress_watch_kind kind, uint32_t index, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint64_t)index << 4 | (uint64_t)kind;
}

struct egress_watch {
	int fd;
	uint32_t events; /* what epoll watches for */
	bool added;
	bool hup; /* hung up: kept out of epoll while there is nothing to read or write on it */
};

/* One direction of a relay: client to server (up) or back (down). */
struct egress_dir {
	int pipe[2];	 /* splice mode: created at the first bytes; -1 otherwise */
	char *buf;	 /* read/write mode, and bytes queued before the relay (a rewritten head) */
	size_t off, len; /* buf[off, len) waits to be written */
	size_t in_pipe;
	bool pipe_full; /* the pipe took no more (its slots, not its bytes, ran out) until it drains */
	bool eof;	/* the reading side ended */
	bool shut;	/* the writing side was shut down after it */
	bool stopped;	/* no more reading: an HTTP request's body is complete */
	uint64_t bytes;
};

enum egress_state {
	ST_HEAD,    /* reading the request (HTTP head or SOCKS handshake) */
	ST_RESOLVE, /* waiting for the resolver */
	ST_CONNECT, /* connecting to addrs[next] */
	ST_REPLY,   /* writing our "yes" (200, SOCKS success) before the relay */
	ST_RELAY,
	ST_ANSWER, /* writing a final answer (403, 502, ...) */
	ST_LINGER, /* answered: reading what the client still sends, so that closing does not reset */
};

struct egress_conn {
	uint32_t slot, gen;
	enum egress_state state;
	bool dead, socks;
	struct egress_watch client, server;
	uint64_t start_ns, deadline_ns, active_ns;
	char *time; /* RFC 3339 of the accept */

	uint8_t *head; /* the request; then a ClientHello being checked */
	size_t head_len, head_cap, head_scanned;
	size_t socks_greeting; /* bytes of the SOCKS greeting once answered */
	struct al_http_request req;

	bool allowed;
	char rule[AL_EGRESS_RULE_MAX];
	const char *tls; /* CONNECT: "sni", "no-sni", "not-tls" */
	char *sni;	 /* the ClientHello's server name */
	char *error;	 /* why it ended badly, for the log */

	struct sockaddr_storage addrs[AL_EGRESS_ADDRS_MAX];
	socklen_t addr_lens[AL_EGRESS_ADDRS_MAX];
	unsigned naddrs, next_addr;
	int last_errno;

	char *msg; /* our own words to the client */
	size_t msg_len, msg_off;

	struct egress_dir up, down;
	bool sni_check; /* CONNECT: the client's first bytes are held until its ClientHello is checked */

	bool rate_wait;
	struct egress_conn *rate_prev, *rate_next, *dead_next;
};

struct egress_dns;

struct egress_proxy {
	int epfd, listen_fd, control_fd, log_fd, tick_fd, rate_fd, reserve_fd;
	const char *sandbox;
	struct al_egress_policy policy;

	struct egress_conn **slots;
	uint32_t *free_slots;
	unsigned nfree, max_conns, nconns;
	uint32_t gen;
	struct egress_conn *dead; /* closed while handling an event; freed after it */
	bool accept_paused;	  /* out of descriptors: accepting resumes at the next tick */

	uint64_t rate; /* bytes per second, 0 = unlimited */
	double tokens, burst;
	uint64_t refilled_ns;
	bool rate_armed;
	struct egress_conn *rate_waiters;

	uint64_t refused, refused_ns; /* connections over max_conns, and when that was last logged */

	struct {
		int fd;
		uint32_t gen;
	} peers[EGRESS_CONTROL_PEERS];

	struct egress_dns *dns;
};

/* egress.c */
/* Make epoll watch w for events (0: nothing but errors; a hung-up fd with nothing to do leaves epoll). */
void egress_watch_set(struct egress_proxy *p, struct egress_watch *w, uint32_t events, uint64_t id);
void egress_watch_drop(struct egress_proxy *p, struct egress_watch *w);
struct egress_conn *egress_conn_by_id(struct egress_proxy *p, uint64_t id);
static inline uint64_t egress_conn_id(const struct egress_conn *c)
{
	return (uint64_t)c->gen << 32 | c->slot;
}
/* One JSON line for a finished connection. */
void egress_log_conn(struct egress_proxy *p, const struct egress_conn *c);

/* egress_conn.c */
void egress_conn_start(struct egress_proxy *p, struct egress_conn *c);
void egress_conn_event(struct egress_proxy *p, struct egress_conn *c, bool server_side, uint32_t events);
void egress_conn_tick(struct egress_proxy *p, struct egress_conn *c, uint64_t now);
/* The resolver's answer: addresses (n > 0) or an error text. */
void egress_conn_resolved(struct egress_proxy *p, struct egress_conn *c, const struct sockaddr *const *addrs,
			  size_t n, bool pinned, const char *error);
/* Recompute what epoll watches on both sockets from the state. */
void egress_conn_update(struct egress_proxy *p, struct egress_conn *c);
/* Log, close every descriptor and queue the memory for freeing after the batch. */
void egress_conn_close(struct egress_proxy *p, struct egress_conn *c);
void egress_conn_free(struct egress_conn *c);

/* egress_relay.c */
/* Both relay directions from now; up may hold bytes already (a head, a ClientHello). */
void egress_relay_begin(struct egress_proxy *p, struct egress_conn *c);
void egress_relay_event(struct egress_proxy *p, struct egress_conn *c, bool server_side, uint32_t events);
/* What the relay needs watched on the client and server sockets. */
void egress_relay_interest(const struct egress_proxy *p, const struct egress_conn *c, uint32_t *client,
			   uint32_t *server);
void egress_relay_free(struct egress_proxy *p, struct egress_conn *c);
void egress_rate_init(struct egress_proxy *p, uint64_t rate);
void egress_rate_timer(struct egress_proxy *p);

/* egress_dns.c */
int egress_dns_init(struct egress_proxy *p, char **pins, const char *servers, struct al_err *err);
/* Resolve c->req.host; egress_conn_resolved is called, possibly before this returns. */
void egress_dns_lookup(struct egress_proxy *p, struct egress_conn *c);
void egress_dns_event(struct egress_proxy *p, int fd, uint32_t events);
void egress_dns_timer(struct egress_proxy *p);
void egress_dns_free(struct egress_proxy *p);
int egress_dns_timer_fd(const struct egress_proxy *p);
