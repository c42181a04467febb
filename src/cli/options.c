/* options.c: `airlock run` options → struct al_spec, with docker's spellings and one-line errors.
 * One table drives both getopt_long and --help, so a flag cannot exist without its help line. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "egress.h"
#include "image.h"
#include "parse.h"
#include "util.h"

/* Long-only flags get codes above any short option letter. */
enum {
	OPT_ROOTFS = 256,
	OPT_TMPFS,
	OPT_READ_ONLY,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_SECURITY_OPT,
	OPT_ALLOW_UNCONFINED,
	OPT_MEMORY_SWAP,
	OPT_CPUS,
	OPT_PIDS_LIMIT,
	OPT_ULIMIT,
	OPT_TIMEOUT,
	OPT_NETWORK,
	OPT_ENV_FILE,
	OPT_HOSTNAME,
	OPT_NAME,
	OPT_JSON,
	OPT_RM,
	OPT_IMAGE,
	OPT_LABEL,
	OPT_DNS,
	OPT_ADD_HOST,
	OPT_INIT,
	OPT_ENTRYPOINT,
	OPT_ALLOW_HOST,
	OPT_DENY_HOST,
	OPT_EGRESS_LOG,
	OPT_EGRESS_RATE,
	OPT_EGRESS_MAX_CONNS,
};

struct run_flag {
	const char *name;
	int has_arg;
	int val;	 /* the short letter, or an OPT_* code */
	const char *arg; /* how --help shows the value */
	const char *help;
};

static const struct run_flag run_flags[] = {
    {"rootfs", required_argument, OPT_ROOTFS, "DIR",
     "use DIR as the root instead of the host's (secrets hidden)"},
    {"volume", required_argument, 'v', "SRC:DST[:OPTS]",
     "bind a host path or named volume; OPTS: ro, rw, z, Z"},
    {"tmpfs", required_argument, OPT_TMPFS, "DST[:OPTS]", "mount a private tmpfs; OPTS: size=64m, mode=1777"},
    {"read-only", optional_argument, OPT_READ_ONLY, "[=BOOL]",
     "read-only root (default true; =false: throwaway layer)"},
    {"cap-add", required_argument, OPT_CAP_ADD, "CAP", "keep capability CAP (or ALL); repeatable"},
    {"cap-drop", required_argument, OPT_CAP_DROP, "CAP",
     "drop capability CAP (or ALL; all are dropped by default)"},
    {"security-opt", required_argument, OPT_SECURITY_OPT, "OPT",
     "seccomp=FILE, seccomp=unconfined, no-new-privileges (always on)"},
    {"allow-unconfined", optional_argument, OPT_ALLOW_UNCONFINED, "[=BOOL]",
     "allow weakening options such as seccomp=unconfined"},
    {"memory", required_argument, 'm', "SIZE", "memory limit, e.g. 512m, 1.5g"},
    {"memory-swap", required_argument, OPT_MEMORY_SWAP, "SIZE",
     "memory plus swap limit; -1 for unlimited swap"},
    {"cpus", required_argument, OPT_CPUS, "N", "CPU quota, e.g. 0.5, 2"},
    {"pids-limit", required_argument, OPT_PIDS_LIMIT, "N", "maximum number of processes; -1 for unlimited"},
    {"ulimit", required_argument, OPT_ULIMIT, "NAME=SOFT[:HARD]",
     "resource limit, e.g. nofile=1024:2048; repeatable"},
    {"timeout", required_argument, OPT_TIMEOUT, "DURATION",
     "kill the sandbox after DURATION, e.g. 30s, 1m30s"},
    {"network", required_argument, OPT_NETWORK, "MODE", "none (default: loopback only) or host"},
    {"allow-host", required_argument, OPT_ALLOW_HOST, "PATTERN",
     "allow egress to a host (example.com, *.example.com, host:port, *)"},
    {"deny-host", required_argument, OPT_DENY_HOST, "PATTERN", "deny egress to a host (wins over allow)"},
    {"egress-log", required_argument, OPT_EGRESS_LOG, "FILE", "log each egress connection as a JSON line"},
    {"egress-rate", required_argument, OPT_EGRESS_RATE, "RATE",
     "egress bandwidth of the sandbox, e.g. 10mbit"},
    {"egress-max-conns", required_argument, OPT_EGRESS_MAX_CONNS, "N", "concurrent egress connections"},
    {"env", required_argument, 'e', "KEY[=VAL]", "set KEY, or pass the caller's KEY through; repeatable"},
    {"env-file", required_argument, OPT_ENV_FILE, "FILE", "read KEY=VAL lines from FILE; repeatable"},
    {"workdir", required_argument, 'w', "DIR", "working directory inside the sandbox (absolute)"},
    {"user", required_argument, 'u', "UID[:GID]", "run as UID:GID inside the sandbox (numeric, 0-65535)"},
    {"hostname", required_argument, OPT_HOSTNAME, "NAME", "hostname inside the sandbox"},
    {"name", required_argument, OPT_NAME, "NAME", "name of the sandbox ([a-zA-Z0-9][a-zA-Z0-9_.-]*)"},
    {"image", required_argument, OPT_IMAGE, "REF", "use image REF as the root (also: IMAGE as first word)"},
    {"entrypoint", required_argument, OPT_ENTRYPOINT, "CMD", "override the image's entrypoint (\"\" = none)"},
    {"label", required_argument, 'l', "KEY=VAL", "set a label on the sandbox; repeatable"},
    {"dns", required_argument, OPT_DNS, "IP", "nameserver for the sandbox's /etc/resolv.conf; repeatable"},
    {"add-host", required_argument, OPT_ADD_HOST, "NAME:IP",
     "add a line to the sandbox's /etc/hosts; repeatable"},
    {"init", optional_argument, OPT_INIT, NULL, "accepted for docker: pid 1 is always airlock's init"},
    {"detach", optional_argument, 'd', NULL, "run: start in the background and print the id"},
    {"interactive", optional_argument, 'i', NULL, "pass stdin through (otherwise /dev/null)"},
    {"tty", optional_argument, 't', NULL, "allocate a pseudo-terminal"},
    {"json", optional_argument, OPT_JSON, "[=FILE]", "write the result as JSON to FILE (default stderr)"},
    {"rm", optional_argument, OPT_RM, NULL, "remove the sandbox when it ends (always, without -d)"},
    {"help", no_argument, 'h', NULL, "print this help"},
};

/* Short letters must match the table; '+' stops at the first command word, ':' reports missing values. */
static const char short_options[] = "+:v:m:e:w:u:l:ithd";

static const char *const default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/* What the flags ask of capabilities; resolved once all are seen, because order does not matter. */
struct cap_request {
	uint64_t add, drop;
	bool add_all, drop_all;
};

struct run_state {
	struct al_spec *spec;
	struct al_cli_extra *x;
	struct cap_request caps;
};

/* Put the flag in front of a parser's message: "--memory " + "12q: invalid size". */
static int flag_error(struct al_err *err, const char *flag)
{
	char msg[sizeof err->msg];
	memcpy(msg, err->msg, sizeof msg);
	return al_err_set(err, err->errnum, "%s %s", flag, msg);
}

static void replace_string(char **dst, const char *val)
{
	free(*dst);
	*dst = al_xstrdup(val);
}

/* ---- one handler per kind of value ------------------------------------------------------------- */

static int opt_rootfs(struct al_spec *spec, const char *arg, struct al_err *err)
{
	_cleanup_free_ char *abs = realpath(arg, NULL);
	if (!abs)
		return al_err_sys(err, errno, "--rootfs %s", arg);
	free(spec->rootfs);
	spec->rootfs = steal_pointer(&abs);
	return 0;
}

static int opt_mount(struct al_spec *spec, const char *arg, bool tmpfs, struct al_err *err)
{
	struct al_mount m;
	int r = tmpfs ? al_parse_tmpfs(arg, &m, err) : al_parse_volume(arg, &m, err);
	if (r < 0)
		return -1;
	al_spec_add_mount(spec, &m);
	al_mount_free(&m);
	return 0;
}

/* A docker boolean flag: bare means true, "=VALUE" is parsed. */
static int opt_bool(const char *arg, bool *out, const char *flag, struct al_err *err)
{
	if (!arg) {
		*out = true;
		return 0;
	}
	return al_parse_bool(arg, out, flag, err);
}

static int opt_cap(struct cap_request *caps, const char *arg, bool add, struct al_err *err)
{
	int cap;
	if (al_parse_cap(arg, &cap, err) < 0)
		return flag_error(err, add ? "--cap-add" : "--cap-drop");
	if (cap < 0)
		*(add ? &caps->add_all : &caps->drop_all) = true;
	else
		*(add ? &caps->add : &caps->drop) |= 1ull << cap;
	return 0;
}

/* docker's rule: with add ALL, everything but the named drops; otherwise the defaults minus the drops,
 * plus the adds. airlock's defaults are empty, so drops only matter against ALL and adds win ties. */
static uint64_t resolve_caps(const struct cap_request *caps)
{
	uint64_t all = 0;
	for (int n = 0; al_cap_name(n); n++)
		all |= 1ull << n;
	if (caps->add_all)
		return all & ~caps->drop;
	return caps->add;
}

static int opt_seccomp(struct al_spec *spec, const char *opt, const char *val, struct al_err *err)
{
	struct stat st;
	if (!val || !*val)
		return al_err_set(err, EINVAL,
				  "--security-opt %s: expected seccomp=FILE or seccomp=unconfined", opt);
	if (strcmp(val, "unconfined") == 0) {
		spec->seccomp_unconfined = true;
		return 0;
	}
	_cleanup_free_ char *abs = realpath(val, NULL);
	if (!abs || stat(abs, &st) < 0)
		return al_err_sys(err, errno, "--security-opt %s", opt);
	if (!S_ISREG(st.st_mode))
		return al_err_set(err, EINVAL, "--security-opt %s: not a regular file", opt);
	free(spec->seccomp_profile);
	spec->seccomp_profile = steal_pointer(&abs);
	return 0;
}

/* "KEY=VALUE", or docker's older "KEY:VALUE". */
static int opt_security(struct al_spec *spec, const char *arg, struct al_err *err)
{
	size_t klen = strcspn(arg, "=:");
	const char *val = arg[klen] ? arg + klen + 1 : NULL;
	bool on = true;

	if (klen == strlen("no-new-privileges") && strncmp(arg, "no-new-privileges", klen) == 0) {
		if (val && al_parse_bool(val, &on, "--security-opt no-new-privileges", err) < 0)
			return -1;
		if (!on)
			return al_err_set(
			    err, EINVAL,
			    "--security-opt %s: no-new-privileges is always on and cannot be turned off",
			    arg);
		return 0;
	}
	if (klen == strlen("seccomp") && strncmp(arg, "seccomp", klen) == 0)
		return opt_seccomp(spec, arg, val, err);
	return al_err_set(
	    err, EINVAL,
	    "--security-opt %s: unsupported (allowed: no-new-privileges, seccomp=FILE, seccomp=unconfined)",
	    arg);
}

static int opt_memory(struct al_limits *limits, const char *arg, bool swap, struct al_err *err)
{
	const char *flag = swap ? "--memory-swap" : "--memory";
	uint64_t v;
	if (swap && strcmp(arg, "-1") == 0) {
		limits->memory_swap = -1;
		return 0;
	}
	if (al_parse_size(arg, &v, err) < 0)
		return flag_error(err, flag);
	if (v == 0)
		return al_err_set(err, EINVAL, "%s %s: must be greater than 0", flag, arg);
	if (v > INT64_MAX)
		return al_err_set(err, ERANGE, "%s %s: size too large", flag, arg);
	*(swap ? &limits->memory_swap : &limits->memory) = (int64_t)v;
	return 0;
}

static int opt_pids(struct al_limits *limits, const char *arg, struct al_err *err)
{
	char *end = NULL;
	long long v = 0;
	errno = 0;
	/* strtoll alone would take " 5" and "+5" */
	if (isdigit((unsigned char)arg[0]) || (arg[0] == '-' && isdigit((unsigned char)arg[1])))
		v = strtoll(arg, &end, 10);
	if (v == 0 || v < -1 || errno || *end)
		return al_err_set(err, EINVAL,
				  "--pids-limit %s: expected a number greater than 0, or -1 for unlimited",
				  arg);
	limits->pids = v;
	return 0;
}

static int opt_ulimit(struct al_spec *spec, const char *arg, struct al_err *err)
{
	struct al_rlimit r;
	if (al_parse_ulimit(arg, &r, err) < 0)
		return -1;
	al_spec_set_rlimit(spec, r.resource, r.soft, r.hard);
	return 0;
}

static int opt_network(struct al_spec *spec, const char *arg, struct al_err *err)
{
	if (strcmp(arg, "none") == 0)
		spec->network = AL_NET_NONE;
	else if (strcmp(arg, "host") == 0)
		spec->network = AL_NET_HOST;
	else
		return al_err_set(err, EINVAL, "--network %s: unsupported network (allowed: none, host)",
				  arg);
	return 0;
}

static bool matches_name(const char *s, const char *extra)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

static int opt_hostname(struct al_spec *spec, const char *arg, struct al_err *err)
{
	if (!matches_name(arg, ".-"))
		return al_err_set(err, EINVAL,
				  "--hostname %s: invalid hostname (letters, digits, '.' and '-')", arg);
	replace_string(&spec->hostname, arg);
	return 0;
}

static int opt_name(struct al_spec *spec, const char *arg, struct al_err *err)
{
	if (!matches_name(arg, "_.-"))
		return al_err_set(err, EINVAL,
				  "--name %s: invalid name (must match [a-zA-Z0-9][a-zA-Z0-9_.-]*)", arg);
	replace_string(&spec->name, arg);
	return 0;
}

static int opt_workdir(struct al_spec *spec, const char *arg, struct al_err *err)
{
	char *path;
	if (al_normalize_abs_path(arg, "--workdir", &path, err) < 0)
		return -1;
	free(spec->workdir);
	spec->workdir = path;
	return 0;
}

static int opt_json(struct al_spec *spec, const char *arg, struct al_err *err)
{
	if (arg && !*arg)
		return al_err_set(err, EINVAL, "--json=: empty file name (use --json alone for stderr)");
	spec->json = true;
	free(spec->json_path);
	spec->json_path = arg ? al_xstrdup(arg) : NULL;
	return 0;
}

static int opt_label(struct al_spec *spec, const char *arg, struct al_err *err)
{
	size_t klen = strcspn(arg, "=");
	if (klen == 0)
		return al_err_set(err, EINVAL, "--label %s: expected KEY=VALUE", arg);
	_cleanup_free_ char *entry = arg[klen] ? al_xstrdup(arg) : al_xasprintf("%s=", arg);
	for (size_t i = 0; i < spec->n_labels; i++) {
		if (strncmp(spec->labels[i], entry, klen + 1) == 0) { /* a later --label KEY wins */
			free(spec->labels[i]);
			spec->labels[i] = steal_pointer(&entry);
			return 0;
		}
	}
	al_strv_push(&spec->labels, &spec->n_labels, entry);
	return 0;
}

static bool is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int opt_dns(struct al_spec *spec, const char *arg, struct al_err *err)
{
	if (!is_ip(arg))
		return al_err_set(err, EINVAL, "--dns %s: not an IP address", arg);
	al_strv_push(&spec->dns, &spec->n_dns, arg);
	return 0;
}

/* docker's NAME:IP (an IPv6 address keeps its colons: the name ends at the first one). */
static int opt_add_host(struct al_spec *spec, const char *arg, struct al_err *err)
{
	size_t nlen = strcspn(arg, ":=");
	_cleanup_free_ char *name = al_xstrndup(arg, nlen);
	if (!arg[nlen] || !matches_name(name, ".-_"))
		return al_err_set(err, EINVAL, "--add-host %s: expected NAME:IP", arg);
	const char *ip = arg + nlen + 1;
	if (!is_ip(ip))
		return al_err_set(err, EINVAL, "--add-host %s: %s is not an IP address", arg, ip);
	_cleanup_free_ char *entry = al_xasprintf("%s:%s", name, ip);
	al_strv_push(&spec->extra_hosts, &spec->n_extra_hosts, entry);
	return 0;
}

static int opt_host_rule(struct al_spec *spec, const char *arg, bool deny, struct al_err *err)
{
	struct al_egress_pattern p;
	if (al_egress_pattern_parse(arg, &p, err) < 0)
		return flag_error(err, deny ? "--deny-host" : "--allow-host");
	al_egress_pattern_free(&p);
	if (deny)
		al_strv_push(&spec->egress_deny, &spec->n_egress_deny, arg);
	else
		al_strv_push(&spec->egress_allow, &spec->n_egress_allow, arg);
	return 0;
}

static int opt_egress_log(struct al_spec *spec, const char *arg, struct al_err *err)
{
	if (!*arg)
		return al_err_set(err, EINVAL, "--egress-log: empty file name");
	char cwd[4096];
	free(spec->egress_log);
	if (arg[0] == '/' || !getcwd(cwd, sizeof cwd))
		spec->egress_log = al_xstrdup(arg);
	else
		spec->egress_log = al_xasprintf("%s/%s", cwd, arg);
	return 0;
}

static int opt_max_conns(struct al_spec *spec, const char *arg, struct al_err *err)
{
	char *end;
	errno = 0;
	unsigned long v = isdigit((unsigned char)*arg) ? strtoul(arg, &end, 10) : 0;
	if (v == 0 || v > (1u << 20) || errno || *end)
		return al_err_set(err, EINVAL, "--egress-max-conns %s: expected a number from 1 to 1048576",
				  arg);
	spec->egress_max_conns = (unsigned)v;
	return 0;
}

static int opt_image(struct al_spec *spec, const char *arg, struct al_err *err)
{
	if (!*arg)
		return al_err_set(err, EINVAL, "--image: empty image reference");
	replace_string(&spec->image, arg);
	return 0;
}

static int opt_value(struct run_state *st, int opt, const char *arg, struct al_err *err)
{
	struct al_spec *spec = st->spec;
	switch (opt) {
	case 'm':
		return opt_memory(&spec->limits, arg, false, err);
	case OPT_MEMORY_SWAP:
		return opt_memory(&spec->limits, arg, true, err);
	case OPT_CPUS:
		return al_parse_cpus(arg, &spec->limits.cpus_milli, err) < 0 ? flag_error(err, "--cpus") : 0;
	case OPT_PIDS_LIMIT:
		return opt_pids(&spec->limits, arg, err);
	case OPT_ULIMIT:
		return opt_ulimit(spec, arg, err);
	case OPT_TIMEOUT:
		return al_parse_duration_ms(arg, &spec->timeout_ms, err) < 0 ? flag_error(err, "--timeout")
									     : 0;
	case 'e':
		return al_env_apply_arg(spec, arg, err);
	case OPT_ENV_FILE:
		return al_env_apply_file(spec, arg, err);
	case 'u':
		spec->user_given = true;
		return al_parse_user(arg, &spec->uid, &spec->gid, err) < 0 ? flag_error(err, "--user") : 0;
	case 'w':
		return opt_workdir(spec, arg, err);
	case OPT_HOSTNAME:
		return opt_hostname(spec, arg, err);
	case OPT_NAME:
		return opt_name(spec, arg, err);
	case 'l':
		return opt_label(spec, arg, err);
	case OPT_DNS:
		return opt_dns(spec, arg, err);
	case OPT_ADD_HOST:
		return opt_add_host(spec, arg, err);
	case OPT_IMAGE:
		return opt_image(spec, arg, err);
	case OPT_ALLOW_HOST:
	case OPT_DENY_HOST:
		return opt_host_rule(spec, arg, opt == OPT_DENY_HOST, err);
	case OPT_EGRESS_LOG:
		return opt_egress_log(spec, arg, err);
	case OPT_EGRESS_RATE:
		return al_parse_rate(arg, &spec->egress_rate, err) < 0 ? flag_error(err, "--egress-rate") : 0;
	case OPT_EGRESS_MAX_CONNS:
		return opt_max_conns(spec, arg, err);
	case OPT_ENTRYPOINT:
		replace_string(&st->x->entrypoint, arg);
		st->x->entrypoint_given = true;
		return 0;
	}
	return al_err_set(err, EINVAL, "internal error: option %d has no handler", opt);
}

/* Returns 0, AL_CLI_HELP, or -1. */
static int apply_flag(struct run_state *st, int opt, const char *arg, struct al_err *err)
{
	struct al_spec *spec = st->spec;
	switch (opt) {
	case OPT_ROOTFS:
		return opt_rootfs(spec, arg, err);
	case 'v':
	case OPT_TMPFS:
		return opt_mount(spec, arg, opt == OPT_TMPFS, err);
	case OPT_READ_ONLY:
		return opt_bool(arg, &spec->read_only, "--read-only", err);
	case OPT_CAP_ADD:
	case OPT_CAP_DROP:
		return opt_cap(&st->caps, arg, opt == OPT_CAP_ADD, err);
	case OPT_SECURITY_OPT:
		return opt_security(spec, arg, err);
	case OPT_ALLOW_UNCONFINED:
		return opt_bool(arg, &spec->allow_weakening, "--allow-unconfined", err);
	case OPT_NETWORK:
		return opt_network(spec, arg, err);
	case 'i':
		return opt_bool(arg, &spec->interactive, "--interactive", err);
	case 't':
		return opt_bool(arg, &spec->tty, "--tty", err);
	case OPT_JSON:
		return opt_json(spec, arg, err);
	case OPT_RM:
		st->x->rm_given = true;
		return opt_bool(arg, &st->x->rm, "--rm", err);
	case 'd':
		if (st->x->verb != AL_CLI_RUN)
			return al_err_set(err, EINVAL, "unknown flag: --detach");
		return opt_bool(arg, &st->x->detach, "--detach", err);
	case OPT_INIT:
		return opt_bool(arg, &spec->init, "--init", err);
	case 'h':
		return AL_CLI_HELP;
	}
	return opt_value(st, opt, arg, err);
}

/* ---- getopt plumbing ---------------------------------------------------------------------------- */

static const struct run_flag *find_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(run_flags); i++)
		if (strlen(run_flags[i].name) == len && strncmp(run_flags[i].name, name, len) == 0)
			return &run_flags[i];
	return NULL;
}

/* getopt's '?' and ':' as one line naming the flag as the user typed it. */
static int getopt_error(int r, const char *word, struct al_err *err)
{
	char flag[128];
	if (strncmp(word, "--", 2) == 0) {
		size_t len = strcspn(word + 2, "=");
		snprintf(flag, sizeof flag, "--%.*s", (int)(len > 100 ? 100 : len), word + 2);
		if (r == '?' && word[2 + len] == '=' && find_flag(word + 2, len))
			return al_err_set(err, EINVAL, "flag %s does not take a value", flag);
	} else {
		snprintf(flag, sizeof flag, "-%c", optopt);
	}
	if (r == ':')
		return al_err_set(err, EINVAL, "flag needs an argument: %s", flag);
	return al_err_set(err, EINVAL, "unknown flag: %s", flag);
}

/* getopt_long takes any unique prefix ("--read" for --read-only); docker does not, and a flag
 * that silently means another is worse than an error. */
static int check_full_name(const char *word, const struct run_flag *flag, struct al_err *err)
{
	size_t len = strcspn(word + 2, "=");
	if (len != strlen(flag->name))
		return al_err_set(err, EINVAL, "unknown flag: --%.*s", (int)(len > 100 ? 100 : len),
				  word + 2);
	return 0;
}

static void build_long_options(struct option *out)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(run_flags); i++)
		out[i] = (struct option){run_flags[i].name, run_flags[i].has_arg, NULL, run_flags[i].val};
	out[AL_ARRAY_SIZE(run_flags)] = (struct option){0};
}

static int parse_flags(int argc, char **argv, struct run_state *st, struct al_err *err)
{
	struct option long_options[AL_ARRAY_SIZE(run_flags) + 1];
	build_long_options(long_options);
	opterr = 0;
	optind = 0; /* full re-initialisation: callers (tests) may parse more than once */
	for (;;) {
		int before = optind ? optind : 1, index = -1;
		int r = getopt_long(argc, argv, short_options, long_options, &index);
		if (r == -1)
			return 0;
		if (r == '?' || r == ':')
			return getopt_error(r, argv[before], err);
		if (index >= 0 && check_full_name(argv[before], &run_flags[index], err) < 0)
			return -1;
		int res = apply_flag(st, r, optarg, err);
		if (res != 0)
			return res;
	}
}

static void copy_command(struct al_spec *spec, int argc, char **argv, int first)
{
	size_t n = argc > first ? (size_t)(argc - first) : 0;
	spec->argv = al_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		spec->argv[i] = al_xstrdup(argv[first + (int)i]);
	spec->argc = n;
}

/* Where the root comes from. `--image REF`, `--rootfs DIR` or a "--" before the first word settle it;
 * otherwise create takes its first word as the image (docker's `create IMAGE [COMMAND]`), and run
 * does when that word names an image in the store, else the words are a command on the host's root. */
static int pick_image(struct run_state *st, int argc, char **argv, int *first, struct al_err *err)
{
	struct al_spec *spec = st->spec;
	bool dashdash = *first > 0 && strcmp(argv[*first - 1], "--") == 0;
	if (spec->image && spec->rootfs)
		return al_err_set(err, EINVAL, "--image and --rootfs conflict: give one root");
	if (spec->image || spec->rootfs || dashdash || *first >= argc)
		return 0;
	if (st->x->verb == AL_CLI_RUN) {
		_cleanup_free_ char *id = NULL;
		struct al_err ignored;
		if (al_image_resolve(argv[*first], &id, &ignored) < 0)
			return 0;
	}
	spec->image = al_xstrdup(argv[(*first)++]);
	return 0;
}

/* The command sees only what was asked for, plus what a shell needs to work: the caller's
 * environment (tokens, SSH agent, ...) is never inherited. */
static void apply_default_env(struct al_spec *spec)
{
	const char *term = getenv("TERM");
	if (!al_spec_getenv(spec, "PATH"))
		al_spec_setenv(spec, "PATH", default_path);
	if (!al_spec_getenv(spec, "HOME"))
		al_spec_setenv(spec, "HOME", spec->uid == 0 ? "/root" : "/");
	if (!al_spec_getenv(spec, "TERM"))
		al_spec_setenv(spec, "TERM", spec->tty ? "xterm" : term && *term ? term : "dumb");
	if (!al_spec_getenv(spec, "LANG"))
		al_spec_setenv(spec, "LANG", "C.UTF-8");
}

int al_cli_parse(int argc, char **argv, struct al_spec *spec, struct al_cli_extra *x, struct al_err *err)
{
	struct run_state st = {.spec = spec, .x = x};
	int r = parse_flags(argc, argv, &st, err);
	if (r != 0)
		return r;
	if (x->verb == AL_CLI_RUN && !x->detach && x->rm_given && !x->rm)
		return al_err_set(err, EINVAL,
				  "--rm=false: airlock always removes the sandbox when the command ends "
				  "(keep one with create or run -d)");
	int first = optind;
	if (pick_image(&st, argc, argv, &first, err) < 0)
		return -1;
	copy_command(spec, argc, argv, first);
	spec->caps_keep = resolve_caps(&st.caps);
	if (spec->image && al_spec_apply_image(spec, x->entrypoint_given ? x->entrypoint : NULL, err) < 0)
		return -1;
	apply_default_env(spec);
	al_spec_apply_egress_env(spec);
	return al_spec_validate(spec, err);
}

int al_cli_parse_run(int argc, char **argv, struct al_spec *spec, struct al_err *err)
{
	struct al_cli_extra x = {.verb = AL_CLI_RUN};
	int r = al_cli_parse(argc, argv, spec, &x, err);
	al_cli_extra_free(&x);
	return r;
}

void al_cli_extra_free(struct al_cli_extra *x)
{
	free(x->entrypoint);
	x->entrypoint = NULL;
}

void al_cli_run_usage(FILE *out)
{
	al_cli_usage(out, AL_CLI_RUN);
}

void al_cli_usage(FILE *out, enum al_cli_verb verb)
{
	if (verb == AL_CLI_RUN)
		fputs(
		    "Usage: airlock run [OPTIONS] [IMAGE] [--] COMMAND [ARG...]\n\n"
		    "Run COMMAND in a new sandbox: no network, no capabilities, read-only root, seccomp and\n"
		    "Landlock on, no_new_privs always set. The root is IMAGE's (when the first word names "
		    "an\n"
		    "image in the store, or with --image), --rootfs DIR, or else the host's with its "
		    "secrets\n"
		    "hidden. Options stop at the first word or at \"--\". Without -d the sandbox is removed\n"
		    "when the command ends; with --name it can be reached by exec while it runs.\n\n"
		    "Options:\n",
		    out);
	else
		fputs(
		    "Usage: airlock create [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
		    "       airlock create [OPTIONS] --rootfs DIR|-- COMMAND [ARG...]\n\n"
		    "Create a named sandbox (start it with 'airlock start'); prints its id. The options are\n"
		    "run's; -d does not apply.\n\n"
		    "Options:\n",
		    out);
	for (size_t i = 0; i < AL_ARRAY_SIZE(run_flags); i++) {
		const struct run_flag *f = &run_flags[i];
		char left[64];
		bool inline_arg = f->arg && f->arg[0] == '[';
		snprintf(left, sizeof left, "%s%c%s --%s%s%s", f->val < 256 ? "-" : " ",
			 f->val < 256 ? f->val : ' ', f->val < 256 ? "," : " ", f->name,
			 f->arg && !inline_arg ? " " : "", f->arg ? f->arg : "");
		fprintf(out, "  %-34s %s\n", left, f->help);
	}
}
