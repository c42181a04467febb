/* egress.h: the egress proxy of a sandbox: host patterns, the rate parser, and the serving loop.
 * The one way out of a sandbox's network namespace; it decides by host name and logs each decision. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* A host pattern: "example.com", "*.example.com" (subdomains only, not the apex), "example.com:8443",
 * "*" (everything, "*:443" everything on a port), also IP literals ("127.0.0.1", "[::1]:8080").
 * Lower-cased; IPv6 literals in their canonical text without brackets; port 0 = any. */
struct al_egress_pattern {
	char *host; /* the name without "*." (NULL for "*") */
	bool wildcard;
	bool any;
	uint16_t port;
};
/* Refused, with one line naming the pattern: a wildcard over a single label ("*.com"), "*.*", "a.*",
 * "*foo.com", empty labels ("a..b", ".a", "a."), labels over 63 characters or names over 253,
 * characters outside [a-z0-9-] (IDN must be given as punycode), a port 0 or over 65535, "". */
int al_egress_pattern_parse(const char *s, struct al_egress_pattern *out, struct al_err *err);
void al_egress_pattern_free(struct al_egress_pattern *p);

struct al_egress_config {
	int listen_fd;		     /* a listening TCP socket (made in the sandbox's netns); ours to own */
	int control_fd;		     /* a listening AF_UNIX SOCK_SEQPACKET socket for policy changes, or -1 */
	int log_fd;		     /* JSON lines are appended here (one write() each), or -1 */
	const char *sandbox;	     /* the sandbox's name, for the log and the denial text */
	char **allow, **deny;	     /* patterns (NULL-terminated, may be NULL); deny wins over allow */
	char **pins;		     /* "NAME:IP" from --add-host: the resolver answers these itself */
	uint64_t rate_bytes_per_sec; /* shared by all connections, both directions summed; 0 = unlimited */
	unsigned max_conns;	     /* concurrent client connections; 0 = 4096 */
	const char *dns_servers;     /* "IP[:PORT],..." instead of /etc/resolv.conf's (tests); NULL = those */
};

/* Serve until killed (the caller arranges a parent-death signal). Returns -1 only on a setup error (a bad
 * pattern or pin, no resolver); the descriptors of cfg are closed then too. Ignores SIGPIPE. */
int al_egress_serve(const struct al_egress_config *cfg, struct al_err *err);

/* A rate in docker-ish units: "10mbit", "500kbit", "1gbit" (bits, powers of 1000), "2mbyte", "2mb", "2m",
 * "64kb", "1g" (bytes, powers of 1024), a plain number is bytes per second; "1.5mbit" works; "/s" may
 * follow. Zero and overflow are refused. */
int al_parse_rate(const char *s, uint64_t *bytes_per_sec, struct al_err *err);
