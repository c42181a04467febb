/* egress_internal.h: what the files of the egress proxy share: the policy, the parsers of what a client
 * sends first (HTTP, SOCKS5, TLS ClientHello), the resolver, the relay and the connection of the loop. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "egress.h"

#define AL_EGRESS_HOST_MAX  256	  /* a normalized host name (at most 253) and its NUL */
#define AL_EGRESS_RULE_MAX  272	  /* a pattern's text: "*." + name + ":" + port */
#define AL_EGRESS_HEAD_MAX  16384 /* a request head, a SOCKS handshake, a TLS ClientHello */
#define AL_EGRESS_RELAY_BUF 65536 /* the bytes in flight per direction */
#define AL_EGRESS_ADDRS_MAX 16	  /* addresses tried per connection */

/* ------------------------------------------------------------------ policy (egress_policy.c) */

struct al_egress_rule {
	bool deny;
	struct al_egress_pattern pat;
	char *text; /* canonical: "*.example.com:443", "[::1]" */
};
struct al_egress_policy {
	struct al_egress_rule *rules;
	size_t n;
};

/* Add a rule (a rule already there is not added twice). */
int al_egress_policy_add(struct al_egress_policy *pol, bool deny, const char *pattern, struct al_err *err);
/* "allow P" / "deny P" lines in the order they were added; caller frees. */
char *al_egress_policy_list(const struct al_egress_policy *pol);
void al_egress_policy_free(struct al_egress_policy *pol);
/* The canonical text of a pattern; caller frees. */
char *al_egress_pattern_format(const struct al_egress_pattern *p);
/* host is normalized (al_egress_host_normalize). */
bool al_egress_pattern_match(const struct al_egress_pattern *p, const char *host, uint16_t port);

struct al_egress_verdict {
	bool allow;
	bool by_deny_rule; /* a deny rule matched */
	bool exact;	   /* the allow rule names the host itself (not by a wildcard or "*") */
	const char *rule;  /* the matching rule's text, or "default-deny"; lives as long as the policy */
};
/* Deny rules first (any match denies), then allow rules (an exact one preferred), else deny. */
void al_egress_decide(const struct al_egress_policy *pol, const char *host, uint16_t port,
		      struct al_egress_verdict *v);

/* A host as a request names it ("Example.COM.", "[::1]", "127.0.0.1") made comparable: lower case, no
 * trailing dot, IP literals canonical and without brackets. Refuses what is neither a host name (letters,
 * digits, '-', '_') nor an IP literal; a name whose last label is numeric ("127.1", "0x7f.1") is refused
 * rather than left to a resolver's idea of it. Returns 0 or -1 (with *why set to a static reason). */
int al_egress_host_normalize(const char *s, size_t len, char out[AL_EGRESS_HOST_MAX], bool *is_ip,
			     const char **why);
/* Loopback, link-local, unspecified, multicast or broadcast (v4-mapped IPv6 judged as its IPv4). */
bool al_egress_addr_internal(const struct sockaddr *sa);

/* ------------------------------------------------------------------ HTTP (egress_http.c) */

enum al_http_body_kind { AL_HTTP_BODY_NONE, AL_HTTP_BODY_LENGTH, AL_HTTP_BODY_CHUNKED };
struct al_http_body {
	enum al_http_body_kind kind;
	uint64_t remaining; /* of the content length, or of the current chunk */
	int state;	    /* of the chunked decoder */
	unsigned count;	    /* digits of a chunk size, bytes of an extension or the trailer */
	bool done;
};

struct al_http_request {
	char method[16];
	char host[AL_EGRESS_HOST_MAX];
	bool host_is_ip;
	uint16_t port;
	bool connect;
	char *forward; /* absolute-form: the head to send upstream, in origin-form */
	size_t forward_len;
	struct al_http_body body;
};

/* Where the head ends (just past its empty line), scanning from `from` (bytes before it were scanned
 * already); 0 while it has not ended. */
size_t al_http_head_end(const char *buf, size_t len, size_t from);
/* False when the first bytes cannot start a proxy request (not "METHOD SP"): garbage is refused early. */
bool al_http_start_ok(const char *buf, size_t len);
/* Parse a complete head of head_len bytes. On failure: -1, *code (400, 501) and *why (static). */
int al_http_parse_head(const char *buf, size_t head_len, struct al_http_request *req, int *code,
		       const char **why);
void al_http_request_free(struct al_http_request *req);
/* Of n bytes that follow the head, how many belong to the request body (the rest is not forwarded: one
 * request per connection); -1 when a chunked body is malformed. Sets b->done at its end. */
ssize_t al_http_body_feed(struct al_http_body *b, const char *p, size_t n);
/* A complete answer of the proxy's own: status line, text/plain body, Connection: close. Caller frees. */
char *al_http_answer(int code, const char *body, size_t *len);

/* ------------------------------------------------------------------ SOCKS5 (egress_socks.c) */

enum al_socks_status { AL_SOCKS_MORE, AL_SOCKS_DONE, AL_SOCKS_BAD };
/* RFC 1928 replies */
enum {
	AL_SOCKS_OK = 0x00,
	AL_SOCKS_FAILURE = 0x01,
	AL_SOCKS_NOT_ALLOWED = 0x02,
	AL_SOCKS_NET_UNREACHABLE = 0x03,
	AL_SOCKS_HOST_UNREACHABLE = 0x04,
	AL_SOCKS_REFUSED = 0x05,
	AL_SOCKS_TTL_EXPIRED = 0x06,
	AL_SOCKS_CMD_UNSUPPORTED = 0x07,
	AL_SOCKS_ATYP_UNSUPPORTED = 0x08,
};
struct al_socks_request {
	char host[AL_EGRESS_HOST_MAX];
	bool host_is_ip;
	uint16_t port;
};
/* The greeting (VER NMETHODS METHODS): DONE sets *used; BAD when malformed or "no authentication" is not
 * offered (answer 05 FF then). */
enum al_socks_status al_socks_parse_greeting(const uint8_t *b, size_t n, size_t *used);
/* The request (VER CMD RSV ATYP ADDR PORT): DONE fills *req and *used; BAD sets *rep, the reply code. */
enum al_socks_status al_socks_parse_request(const uint8_t *b, size_t n, struct al_socks_request *req,
					    size_t *used, uint8_t *rep);
/* The 10-byte reply with a bound address of 0.0.0.0:0. */
void al_socks_reply(uint8_t out[10], uint8_t rep);

/* ------------------------------------------------------------------ TLS (egress_tls.c) */

enum al_tls_hello {
	AL_TLS_MORE,	  /* a ClientHello has begun and is not complete */
	AL_TLS_NOT_TLS,	  /* the first byte is not a TLS handshake record */
	AL_TLS_NO_SNI,	  /* a complete ClientHello without a host_name */
	AL_TLS_SNI,	  /* a complete ClientHello; sni holds the name as sent */
	AL_TLS_MALFORMED, /* anything else, including a hello over AL_EGRESS_HEAD_MAX */
};
enum al_tls_hello al_tls_client_hello_sni(const uint8_t *buf, size_t len, char sni[AL_EGRESS_HOST_MAX]);
