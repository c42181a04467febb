/* proxy.c: `airlock proxy`: the egress proxy on a loopback port of the host, for tests and benchmarks.
 * Makes the listening (and control) sockets and the log file, then serves with al_egress_serve. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "egress.h"
#include "util.h"
#include "verbs.h"

struct proxy_opts {
	const char *listen, *log, *control;
	char **allow, **deny, **pins;
	size_t nallow, ndeny, npins;
	struct al_egress_config cfg;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: airlock proxy [OPTIONS]\n\n"
	    "Run the egress proxy of sandboxes on a loopback port of the host (HTTP forward, CONNECT,\n"
	    "SOCKS5), for tests and benchmarks. Prints the address it listens on, then serves until "
	    "killed.\n\n"
	    "Options:\n"
	    "      --listen ADDR:PORT      loopback address to listen on (default 127.0.0.1:0, any port)\n"
	    "      --allow-host PATTERN    allow a host: example.com, *.example.com, host:port, *, an IP\n"
	    "      --deny-host PATTERN     deny a host (wins over any allow rule)\n"
	    "      --add-host NAME:IP      answer NAME with IP (may be an internal address)\n"
	    "      --egress-log FILE       append one JSON line per connection\n"
	    "      --egress-rate RATE      bandwidth shared by all connections: 10mbit, 500kbit, 2mb\n"
	    "      --egress-max-conns N    concurrent client connections (default 4096)\n"
	    "      --control PATH          a unix socket taking \"allow P\", \"deny P\", \"ls\"\n"
	    "      --name NAME             the sandbox name the log and denials show (default proxy)\n"
	    "      --dns-server IP[:PORT]  resolve with this server instead of /etc/resolv.conf's\n");
}

/* A loopback TCP listener: an egress proxy open to the network would be an open relay. */
static int listen_on(const char *spec, struct al_err *err)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(spec, ':');
	const char *port = colon ? colon + 1 : spec;
	if (colon && colon != spec)
		snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
	char *end;
	unsigned long pn = strtoul(port, &end, 10);
	if (!*port || *end || pn > 65535)
		return al_err_set(err, EINVAL, "--listen %s: not ADDR:PORT", spec);
	size_t hl = strlen(host);
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']')
		memmove(host, host + 1, hl - 2), host[hl - 2] = '\0';
	socklen_t len;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1 && (ntohl(in4->sin_addr.s_addr) >> 24) == 127) {
		in4->sin_family = AF_INET, in4->sin_port = htons((uint16_t)pn), len = sizeof *in4;
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 && IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) {
		in6->sin6_family = AF_INET6, in6->sin6_port = htons((uint16_t)pn), len = sizeof *in6;
	} else {
		return al_err_set(err, EINVAL,
				  "--listen %s: must be a loopback address (127.0.0.0/8 or [::1])", spec);
	}
	_cleanup_close_ int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	static const int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4096) < 0)
		return al_err_sys(err, errno, "--listen %s", spec);
	return steal_fd(&fd);
}

static int control_on(const char *path, struct al_err *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	if (strlen(path) >= sizeof sun.sun_path)
		return al_err_set(err, ENAMETOOLONG, "--control %s: path too long", path);
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	mode_t old = umask(0077);
	int r = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r < 0 || listen(fd, 16) < 0)
		return al_err_sys(err, errno, "--control %s", path);
	return steal_fd(&fd);
}

static int parse_opts(int argc, char **argv, struct proxy_opts *o, struct al_err *err)
{
	static const struct option longs[] = {{"listen", required_argument, NULL, 'l'},
					      {"allow-host", required_argument, NULL, 'a'},
					      {"deny-host", required_argument, NULL, 'd'},
					      {"add-host", required_argument, NULL, 'H'},
					      {"egress-log", required_argument, NULL, 'L'},
					      {"egress-rate", required_argument, NULL, 'r'},
					      {"egress-max-conns", required_argument, NULL, 'm'},
					      {"control", required_argument, NULL, 'c'},
					      {"name", required_argument, NULL, 'n'},
					      {"dns-server", required_argument, NULL, 'D'},
					      {"help", no_argument, NULL, 'h'},
					      {0}};
	char *end;
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "proxy", "h", longs)) != -1;) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'a':
			al_strv_push(&o->allow, &o->nallow, optarg);
			break;
		case 'd':
			al_strv_push(&o->deny, &o->ndeny, optarg);
			break;
		case 'H':
			al_strv_push(&o->pins, &o->npins, optarg);
			break;
		case 'L':
			o->log = optarg;
			break;
		case 'r':
			if (al_parse_rate(optarg, &o->cfg.rate_bytes_per_sec, err) < 0)
				return al_err_prefix(err, "--egress-rate");
			break;
		case 'm':
			errno = 0;
			o->cfg.max_conns = (unsigned)strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || o->cfg.max_conns == 0 || o->cfg.max_conns > 1000000)
				return al_err_set(err, EINVAL,
						  "--egress-max-conns %s: not a count of 1 to 1000000",
						  optarg);
			break;
		case 'c':
			o->control = optarg;
			break;
		case 'n':
			o->cfg.sandbox = optarg;
			break;
		case 'D':
			o->cfg.dns_servers = optarg;
			break;
		case 'h':
			return 1;
		default:
			return -2;
		}
	}
	if (optind < argc)
		return al_err_set(err, EINVAL, "proxy: unexpected argument: %s", argv[optind]);
	return 0;
}

static int open_fds(struct proxy_opts *o, struct al_err *err)
{
	o->cfg.listen_fd = listen_on(o->listen ? o->listen : "127.0.0.1:0", err);
	if (o->cfg.listen_fd < 0)
		return -1;
	if (o->control && (o->cfg.control_fd = control_on(o->control, err)) < 0)
		return -1;
	if (o->log && (o->cfg.log_fd = open(o->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return al_err_sys(err, errno, "--egress-log %s", o->log);
	return 0;
}

int al_verb_proxy(int argc, char **argv)
{
	struct proxy_opts o = {.cfg = {.listen_fd = -1, .control_fd = -1, .log_fd = -1, .sandbox = "proxy"}};
	struct al_err err = {0};
	int status = AL_EXIT_ERROR;
	int r = parse_opts(argc, argv, &o, &err);
	if (r == 1) {
		usage(stdout);
		status = 0;
	} else if (r == 0 && open_fds(&o, &err) == 0) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		char addr[INET6_ADDRSTRLEN] = "?";
		uint16_t port = 0;
		if (getsockname(o.cfg.listen_fd, (struct sockaddr *)&ss, &len) == 0) {
			bool v4 = ss.ss_family == AF_INET;
			struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(ss.ss_family, v4 ? (void *)&in4->sin_addr : (void *)&in6->sin6_addr, addr,
				  sizeof addr);
			port = ntohs(v4 ? in4->sin_port : in6->sin6_port);
			printf(v4 ? "%s:%u\n" : "[%s]:%u\n", addr, port);
		}
		fflush(stdout);
		o.cfg.allow = o.allow, o.cfg.deny = o.deny, o.cfg.pins = o.pins;
		al_egress_serve(&o.cfg, &err); /* returns only on a setup error */
		o.cfg.listen_fd = o.cfg.control_fd = o.cfg.log_fd = -1;
	}
	if (r < 0 && r != -2)
		status = al_cli_fail(&err);
	else if (r == 0)
		status = al_cli_fail(&err);
	al_closep(&o.cfg.listen_fd);
	al_closep(&o.cfg.control_fd);
	al_closep(&o.cfg.log_fd);
	al_strv_free(o.allow);
	al_strv_free(o.deny);
	al_strv_free(o.pins);
	return status;
}
