/* parse.c: the parsers for every value a user types: sizes, durations, CPUs, ulimits, volumes, tmpfs,
 * capabilities, users, paths, env. Pure: they allocate, and touch no system state except env files. */
#include "parse.h"

#include <ctype.h>
#include <signal.h>
#include <strings.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/resource.h>

#include "util.h"

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))

/* Messages start with the offending text so that a caller can put its flag in front
 * ("--memory " + "12q: invalid size"); volume, tmpfs, ulimit and env messages name themselves. */

/* The text to show for s in a message: an empty value must still be visible. */
static const char *shown(const char *s)
{
	return *s ? s : "\"\"";
}

/* ---- numbers ------------------------------------------------------------------------------------ */

/* A decimal number "D+" or "D+.D+". Fraction digits beyond 18 cannot change any result we compute
 * (the largest unit is below 10^18 of the smallest), so they are checked and dropped. */
struct decimal {
	uint64_t whole;
	uint64_t frac;
	uint64_t frac_scale; /* 10^digits kept */
};

enum decimal_status { DEC_OK, DEC_INVALID, DEC_OVERFLOW };

static enum decimal_status parse_decimal(const char **pp, struct decimal *d)
{
	const char *p = *pp;
	*d = (struct decimal){0, 0, 1};
	if (!isdigit((unsigned char)*p))
		return DEC_INVALID;
	for (; isdigit((unsigned char)*p); p++) {
		if (__builtin_mul_overflow(d->whole, 10, &d->whole) ||
		    __builtin_add_overflow(d->whole, (uint64_t)(*p - '0'), &d->whole))
			return DEC_OVERFLOW;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return DEC_INVALID;
		for (; isdigit((unsigned char)*p); p++) {
			if (d->frac_scale < 1000000000000000000ull) {
				d->frac = d->frac * 10 + (uint64_t)(*p - '0');
				d->frac_scale *= 10;
			}
		}
	}
	*pp = p;
	return DEC_OK;
}

/* d × unit, truncated toward zero. Returns false on overflow of 64 bits. */
static bool decimal_scale(const struct decimal *d, uint64_t unit, uint64_t *out)
{
	unsigned __int128 v = (unsigned __int128)d->whole * unit;
	v += (unsigned __int128)d->frac * unit / d->frac_scale;
	if (v > UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* A plain integer in [min, max], the whole string. */
static bool parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	if (!*s || isspace((unsigned char)*s) || *s == '+')
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* ---- sizes, durations, CPUs --------------------------------------------------------------------- */

/* docker's suffixes: "", "b", or k/m/g/t/p optionally followed by "i" and/or "b", any case. */
static bool size_unit(const char *p, uint64_t *unit)
{
	static const char prefixes[] = "kmgtp";
	const char *hit;
	*unit = 1;
	if (*p == '\0')
		return true;
	if (tolower((unsigned char)*p) == 'b')
		return p[1] == '\0';
	hit = strchr(prefixes, tolower((unsigned char)*p));
	if (!hit)
		return false;
	*unit = 1ull << (10 * (hit - prefixes + 1));
	p++;
	if (tolower((unsigned char)*p) == 'i')
		p++;
	if (tolower((unsigned char)*p) == 'b')
		p++;
	return *p == '\0';
}

int al_parse_size(const char *s, uint64_t *out, struct al_err *err)
{
	const char *p = s;
	struct decimal d;
	uint64_t unit;

	if (!*s)
		return al_err_set(err, EINVAL, "\"\": empty size");
	if (*s == '-')
		return al_err_set(err, EINVAL, "%s: size must not be negative", s);
	switch (parse_decimal(&p, &d)) {
	case DEC_OVERFLOW:
		return al_err_set(err, ERANGE, "%s: size too large", s);
	case DEC_INVALID:
		return al_err_set(err, EINVAL, "%s: invalid size (a number with an optional unit b, k, m, g)",
				  s);
	case DEC_OK:
		break;
	}
	if (!size_unit(p, &unit))
		return al_err_set(err, EINVAL, "%s: invalid size (a number with an optional unit b, k, m, g)",
				  s);
	if (!decimal_scale(&d, unit, out))
		return al_err_set(err, ERANGE, "%s: size too large", s);
	return 0;
}

static const struct {
	const char *name;
	uint64_t ns;
} duration_units[] = {
    /* two-letter units first: "ms" must not read as "m" followed by junk */
    {"ns", 1ull},
    {"us", 1000ull},
    {"\u00b5s", 1000ull},
    {"ms", 1000000ull},
    {"s", 1000000000ull},
    {"m", 60ull * 1000000000ull},
    {"h", 3600ull * 1000000000ull},
};

static size_t duration_unit(const char *p, uint64_t *ns)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(duration_units); i++) {
		size_t len = strlen(duration_units[i].name);
		if (strncmp(p, duration_units[i].name, len) == 0) {
			*ns = duration_units[i].ns;
			return len;
		}
	}
	return 0;
}

/* Sum of the "NUMBER UNIT" terms of s in nanoseconds; a lone number is seconds. */
static int duration_ns(const char *s, uint64_t *total, struct al_err *err)
{
	const char *p = s;
	*total = 0;
	while (*p) {
		const char *first_term = p;
		struct decimal d;
		uint64_t unit, term;
		enum decimal_status st = parse_decimal(&p, &d);
		if (st == DEC_OVERFLOW)
			return al_err_set(err, ERANGE, "%s: duration too large", s);
		if (st == DEC_INVALID)
			return al_err_set(err, EINVAL, "%s: invalid duration (e.g. 30s, 500ms, 1m30s, 2h)",
					  s);
		size_t len = duration_unit(p, &unit);
		if (len == 0) {
			/* only a number standing alone is seconds: "1m30" is a typo, not 1m30s */
			if (*p || first_term != s)
				return al_err_set(err, EINVAL,
						  "%s: invalid duration (e.g. 30s, 500ms, 1m30s, 2h)", s);
			unit = 1000000000ull;
		}
		p += len;
		if (!decimal_scale(&d, unit, &term) || __builtin_add_overflow(*total, term, total))
			return al_err_set(err, ERANGE, "%s: duration too large", s);
	}
	return 0;
}

int al_parse_duration_ms(const char *s, uint64_t *out_ms, struct al_err *err)
{
	uint64_t ns;
	if (!*s)
		return al_err_set(err, EINVAL, "\"\": empty duration");
	if (*s == '-')
		return al_err_set(err, EINVAL, "%s: duration must not be negative", s);
	if (duration_ns(s, &ns, err) < 0)
		return -1;
	if (ns == 0)
		return al_err_set(err, EINVAL, "%s: duration must be greater than 0", s);
	if (ns < 1000000)
		return al_err_set(err, EINVAL, "%s: duration must be at least 1ms", s);
	*out_ms = ns / 1000000;
	return 0;
}

int al_parse_cpus(const char *s, int64_t *out_milli, struct al_err *err)
{
	const char *p = s;
	struct decimal d;
	uint64_t milli;

	if (!*s)
		return al_err_set(err, EINVAL, "\"\": empty CPU count");
	if (*s == '-')
		return al_err_set(err, EINVAL, "%s: CPU count must not be negative", s);
	enum decimal_status st = parse_decimal(&p, &d);
	if (st == DEC_INVALID || (st == DEC_OK && *p))
		return al_err_set(err, EINVAL, "%s: invalid CPU count (e.g. 1, 0.5, 2.25)", s);
	if (st == DEC_OVERFLOW || !decimal_scale(&d, 1000, &milli) || milli > INT64_MAX)
		return al_err_set(err, ERANGE, "%s: CPU count too large", s);
	if (milli == 0)
		return al_err_set(err, EINVAL, "%s: CPU count must be at least 0.001", s);
	*out_milli = (int64_t)milli;
	return 0;
}

int al_parse_bool(const char *s, bool *out, const char *what, struct al_err *err)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = true;
	else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = false;
	else
		return al_err_set(err, EINVAL, "%s=%s: expected true or false", what ? what : "value", s);
	return 0;
}

/* ---- ulimits ------------------------------------------------------------------------------------ */

static const struct {
	const char *name;
	int resource;
} ulimit_names[] = {
    {"core", RLIMIT_CORE},	   {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},	   {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS},	   {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},	   {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},	   {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},	   {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},	   {"as", RLIMIT_AS},
};

static int ulimit_resource(const char *name, size_t len)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(ulimit_names); i++)
		if (strlen(ulimit_names[i].name) == len && strncmp(ulimit_names[i].name, name, len) == 0)
			return ulimit_names[i].resource;
	return -1;
}

const char *al_ulimit_name(int resource)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(ulimit_names); i++)
		if (ulimit_names[i].resource == resource)
			return ulimit_names[i].name;
	return NULL;
}

/* "-1" is docker's spelling of unlimited. */
static bool ulimit_value(const char *s, rlim_t *out)
{
	int64_t v;
	if (!parse_int64(s, -1, INT64_MAX, &v))
		return false;
	*out = v == -1 ? RLIM_INFINITY : (rlim_t)v;
	return true;
}

int al_parse_ulimit(const char *s, struct al_rlimit *out, struct al_err *err)
{
	const char *eq = strchr(s, '=');
	_cleanup_free_ char *values = NULL;
	char *colon;

	if (!eq || eq == s)
		return al_err_set(err, EINVAL, "ulimit %s: expected NAME=SOFT[:HARD]", s);
	out->resource = ulimit_resource(s, (size_t)(eq - s));
	if (out->resource < 0)
		return al_err_set(
		    err, EINVAL,
		    "ulimit %s: unknown limit %.*s (core, cpu, data, fsize, locks, memlock, msgqueue, nice, "
		    "nofile, nproc, rss, rtprio, rttime, sigpending, stack, as)",
		    s, (int)(eq - s), s);
	values = al_xstrdup(eq + 1);
	colon = strchr(values, ':');
	if (colon)
		*colon = '\0';
	if (!ulimit_value(values, &out->soft) || (colon && !ulimit_value(colon + 1, &out->hard)))
		return al_err_set(err, EINVAL, "ulimit %s: limits must be integers or -1 for unlimited", s);
	if (!colon)
		out->hard = out->soft;
	if (out->soft > out->hard)
		return al_err_set(err, EINVAL, "ulimit %s: soft limit exceeds hard limit", s);
	return 0;
}

/* ---- paths, volumes, tmpfs ---------------------------------------------------------------------- */

enum path_status { PATH_OK, PATH_EMPTY, PATH_RELATIVE, PATH_DOTDOT };

static enum path_status normalize(const char *s, char **out)
{
	if (!*s)
		return PATH_EMPTY;
	if (*s != '/')
		return PATH_RELATIVE;
	_cleanup_free_ char *buf = al_xmalloc(strlen(s) + 1);
	size_t n = 0;
	for (const char *p = s; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return PATH_DOTDOT;
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			buf[n++] = '/';
			memcpy(buf + n, p, len);
			n += len;
		}
		p = end;
	}
	if (n == 0)
		buf[n++] = '/';
	buf[n] = '\0';
	*out = steal_pointer(&buf);
	return PATH_OK;
}

int al_normalize_abs_path(const char *s, const char *what, char **out, struct al_err *err)
{
	what = what ? what : "path";
	switch (normalize(s, out)) {
	case PATH_EMPTY:
		return al_err_set(err, EINVAL, "%s \"\": empty path", what);
	case PATH_RELATIVE:
		return al_err_set(err, EINVAL, "%s %s: must be an absolute path", what, s);
	case PATH_DOTDOT:
		return al_err_set(err, EINVAL, "%s %s: must not contain \"..\"", what, s);
	case PATH_OK:
		break;
	}
	return 0;
}

/* Docker's volume name rule; anything else relative is a typo for a path, not a name. */
static bool is_volume_name(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

static int volume_source(const char *spec, const char *src, struct al_mount *m, struct al_err *err)
{
	if (!*src)
		return al_err_set(err, EINVAL, "volume %s: empty source", spec);
	if (*src != '/') {
		if (!is_volume_name(src))
			return al_err_set(err, EINVAL,
					  "volume %s: source must be an absolute path or a volume name "
					  "([A-Za-z0-9][A-Za-z0-9_.-]*)",
					  spec);
		m->source = al_xstrdup(src);
		m->is_named = true;
		return 0;
	}
	if (normalize(src, &m->source) != PATH_OK)
		return al_err_set(err, EINVAL, "volume %s: source must not contain \"..\"", spec);
	return 0;
}

static int mount_target(const char *what, const char *spec, const char *dst, char **out, struct al_err *err)
{
	spec = shown(spec);
	switch (normalize(dst, out)) {
	case PATH_EMPTY:
		return al_err_set(err, EINVAL, "%s %s: empty destination", what, spec);
	case PATH_RELATIVE:
		return al_err_set(err, EINVAL, "%s %s: destination must be an absolute path", what, spec);
	case PATH_DOTDOT:
		return al_err_set(err, EINVAL, "%s %s: destination must not contain \"..\"", what, spec);
	case PATH_OK:
		break;
	}
	return 0;
}

static int volume_options(const char *spec, char *opts, struct al_mount *m, struct al_err *err)
{
	bool ro = false, rw = false;
	char *save = NULL;
	if (!*opts)
		return al_err_set(err, EINVAL, "volume %s: empty option list", spec);
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "ro") == 0)
			ro = true;
		else if (strcmp(o, "rw") == 0)
			rw = true;
		else if (strcmp(o, "z") != 0 && strcmp(o, "Z") != 0) /* SELinux relabel: nothing to do here */
			return al_err_set(err, EINVAL, "volume %s: unknown option %s (ro, rw, z, Z)", spec,
					  o);
	}
	if (ro && rw)
		return al_err_set(err, EINVAL, "volume %s: options ro and rw conflict", spec);
	m->readonly = ro;
	return 0;
}

static int parse_volume(const char *s, struct al_mount *m, struct al_err *err)
{
	_cleanup_free_ char *copy = al_xstrdup(s);
	char *dst = strchr(copy, ':');
	char *opts = dst ? strchr(dst + 1, ':') : NULL;

	if (!dst)
		return al_err_set(err, EINVAL, "volume %s: expected SRC:DST[:OPTS]", shown(s));
	*dst++ = '\0';
	if (opts) {
		*opts++ = '\0';
		if (strchr(opts, ':'))
			return al_err_set(err, EINVAL, "volume %s: too many ':' (expected SRC:DST[:OPTS])",
					  s);
	}
	if (volume_source(s, copy, m, err) < 0 || mount_target("volume", s, dst, &m->target, err) < 0)
		return -1;
	if (!opts)
		return 0;
	m->options = al_xstrdup(opts); /* before strtok cuts it: docker shows it as the mount's Mode */
	return volume_options(s, opts, m, err);
}

int al_parse_volume(const char *s, struct al_mount *out, struct al_err *err)
{
	*out = (struct al_mount){.kind = AL_MOUNT_BIND};
	if (parse_volume(s, out, err) < 0) {
		al_mount_free(out);
		return -1;
	}
	return 0;
}

static int tmpfs_mode(const char *spec, const char *v, struct al_mount *m, struct al_err *err)
{
	char *end;
	if (!isdigit((unsigned char)*v))
		return al_err_set(err, EINVAL, "tmpfs %s: mode=%s: expected an octal mode like 1777", spec,
				  v);
	errno = 0;
	unsigned long mode = strtoul(v, &end, 8);
	if (errno || *end || mode > 07777)
		return al_err_set(err, EINVAL, "tmpfs %s: mode=%s: expected an octal mode like 1777", spec,
				  v);
	m->mode = (mode_t)mode;
	m->has_mode = true;
	return 0;
}

static int tmpfs_size(const char *spec, const char *v, struct al_mount *m, struct al_err *err)
{
	struct al_err sub;
	if (al_parse_size(v, &m->size, &sub) < 0)
		return al_err_set(err, sub.errnum, "tmpfs %s: size=%s", spec, sub.msg);
	/* the kernel reads size=0 as unlimited: never let a typo lift the cap */
	if (m->size == 0)
		return al_err_set(err, EINVAL, "tmpfs %s: size must be greater than 0", spec);
	return 0;
}

/* Flags docker passes through to mount(8); the sandbox's tmpfs is always rw and the rest are
 * either the default or decided by the mount plan, so they are accepted and ignored. */
static const char *const tmpfs_noop_flags[] = {"rw", "nosuid", "nodev", "noexec", "exec", "suid", "dev"};

static int tmpfs_option(const char *spec, const char *o, struct al_mount *m, struct al_err *err)
{
	if (strncmp(o, "size=", 5) == 0)
		return tmpfs_size(spec, o + 5, m, err);
	if (strncmp(o, "mode=", 5) == 0)
		return tmpfs_mode(spec, o + 5, m, err);
	if (strcmp(o, "ro") == 0)
		return al_err_set(err, EINVAL,
				  "tmpfs %s: a read-only tmpfs is always empty; option ro is refused", spec);
	for (size_t i = 0; i < AL_ARRAY_SIZE(tmpfs_noop_flags); i++)
		if (strcmp(o, tmpfs_noop_flags[i]) == 0)
			return 0;
	return al_err_set(
	    err, EINVAL,
	    "tmpfs %s: unknown option %s (size, mode, rw, nosuid, nodev, noexec, exec, suid, dev)", spec,
	    shown(o));
}

static int parse_tmpfs(const char *s, struct al_mount *m, struct al_err *err)
{
	_cleanup_free_ char *copy = al_xstrdup(s);
	char *opts = strchr(copy, ':');
	char *save = NULL;

	if (opts)
		*opts++ = '\0';
	if (mount_target("tmpfs", s, copy, &m->target, err) < 0)
		return -1;
	if (!opts)
		return 0;
	if (!*opts)
		return al_err_set(err, EINVAL, "tmpfs %s: empty option list", s);
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (tmpfs_option(s, o, m, err) < 0)
			return -1;
	return 0;
}

int al_parse_tmpfs(const char *s, struct al_mount *out, struct al_err *err)
{
	*out = (struct al_mount){.kind = AL_MOUNT_TMPFS};
	if (parse_tmpfs(s, out, err) < 0) {
		al_mount_free(out);
		return -1;
	}
	return 0;
}

/* ---- capabilities and users --------------------------------------------------------------------- */

/* Indexed by capability number; the kernel's constants keep the numbering honest. */
static const char *const cap_names[] = {
    [CAP_CHOWN] = "CHOWN",
    [CAP_DAC_OVERRIDE] = "DAC_OVERRIDE",
    [CAP_DAC_READ_SEARCH] = "DAC_READ_SEARCH",
    [CAP_FOWNER] = "FOWNER",
    [CAP_FSETID] = "FSETID",
    [CAP_KILL] = "KILL",
    [CAP_SETGID] = "SETGID",
    [CAP_SETUID] = "SETUID",
    [CAP_SETPCAP] = "SETPCAP",
    [CAP_LINUX_IMMUTABLE] = "LINUX_IMMUTABLE",
    [CAP_NET_BIND_SERVICE] = "NET_BIND_SERVICE",
    [CAP_NET_BROADCAST] = "NET_BROADCAST",
    [CAP_NET_ADMIN] = "NET_ADMIN",
    [CAP_NET_RAW] = "NET_RAW",
    [CAP_IPC_LOCK] = "IPC_LOCK",
    [CAP_IPC_OWNER] = "IPC_OWNER",
    [CAP_SYS_MODULE] = "SYS_MODULE",
    [CAP_SYS_RAWIO] = "SYS_RAWIO",
    [CAP_SYS_CHROOT] = "SYS_CHROOT",
    [CAP_SYS_PTRACE] = "SYS_PTRACE",
    [CAP_SYS_PACCT] = "SYS_PACCT",
    [CAP_SYS_ADMIN] = "SYS_ADMIN",
    [CAP_SYS_BOOT] = "SYS_BOOT",
    [CAP_SYS_NICE] = "SYS_NICE",
    [CAP_SYS_RESOURCE] = "SYS_RESOURCE",
    [CAP_SYS_TIME] = "SYS_TIME",
    [CAP_SYS_TTY_CONFIG] = "SYS_TTY_CONFIG",
    [CAP_MKNOD] = "MKNOD",
    [CAP_LEASE] = "LEASE",
    [CAP_AUDIT_WRITE] = "AUDIT_WRITE",
    [CAP_AUDIT_CONTROL] = "AUDIT_CONTROL",
    [CAP_SETFCAP] = "SETFCAP",
    [CAP_MAC_OVERRIDE] = "MAC_OVERRIDE",
    [CAP_MAC_ADMIN] = "MAC_ADMIN",
    [CAP_SYSLOG] = "SYSLOG",
    [CAP_WAKE_ALARM] = "WAKE_ALARM",
    [CAP_BLOCK_SUSPEND] = "BLOCK_SUSPEND",
    [CAP_AUDIT_READ] = "AUDIT_READ",
    [CAP_PERFMON] = "PERFMON",
    [CAP_BPF] = "BPF",
    [CAP_CHECKPOINT_RESTORE] = "CHECKPOINT_RESTORE",
};

const char *al_cap_name(int n)
{
	if (n < 0 || (size_t)n >= AL_ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[n];
}

int al_parse_cap(const char *s, int *out, struct al_err *err)
{
	const char *name = strncasecmp(s, "CAP_", 4) == 0 ? s + 4 : s;
	if (name == s && strcasecmp(s, "ALL") == 0) {
		*out = -1;
		return 0;
	}
	for (size_t i = 0; i < AL_ARRAY_SIZE(cap_names); i++) {
		if (strcasecmp(name, cap_names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return al_err_set(err, EINVAL, "%s: unknown capability", shown(s));
}

int al_parse_user(const char *s, uid_t *uid, gid_t *gid, struct al_err *err)
{
	_cleanup_free_ char *copy = al_xstrdup(s);
	char *colon = strchr(copy, ':');
	int64_t u, g;

	if (colon)
		*colon = '\0';
	if (!parse_int64(copy, 0, 65535, &u) || (colon && !parse_int64(colon + 1, 0, 65535, &g)))
		return al_err_set(err, EINVAL,
				  "%s: expected UID[:GID], numbers from 0 to 65535 (names are not resolved)",
				  shown(s));
	*uid = (uid_t)u;
	*gid = (gid_t)(colon ? g : u);
	return 0;
}

/* ---- environment -------------------------------------------------------------------------------- */

/* Apply one "KEY=VAL" or "KEY" entry; `where` names it in errors ("env X", "env file F line 3"). */
static int env_apply(struct al_spec *spec, const char *entry, const char *where, struct al_err *err)
{
	const char *eq = strchr(entry, '=');
	size_t klen = eq ? (size_t)(eq - entry) : strlen(entry);
	_cleanup_free_ char *key = al_xasprintf("%.*s", (int)klen, entry);

	if (klen == 0)
		return al_err_set(err, EINVAL, "%s: empty variable name", where);
	for (const char *p = key; *p; p++)
		if (isspace((unsigned char)*p))
			return al_err_set(err, EINVAL, "%s: variable name \"%s\" contains whitespace", where,
					  key);
	if (eq) {
		al_spec_setenv(spec, key, eq + 1);
	} else {
		/* "KEY" alone passes the caller's value through, and nothing when the caller has none */
		const char *val = getenv(key);
		if (val)
			al_spec_setenv(spec, key, val);
	}
	return 0;
}

int al_env_apply_arg(struct al_spec *spec, const char *arg, struct al_err *err)
{
	_cleanup_free_ char *where = al_xasprintf("env %s", shown(arg));
	return env_apply(spec, arg, where, err);
}

/* docker reads lines with leading whitespace trimmed, a UTF-8 BOM and CR line ends dropped. */
static char *env_file_line(char *line, size_t lineno)
{
	size_t len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	while (isspace((unsigned char)*line))
		line++;
	return line;
}

int al_env_apply_file(struct al_spec *spec, const char *path, struct al_err *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, lineno = 0;

	if (!f)
		return al_err_sys(err, errno, "env file %s", path);
	while (getline(&buf, &cap, f) >= 0) {
		char *line = env_file_line(buf, ++lineno);
		if (*line == '\0' || *line == '#')
			continue;
		_cleanup_free_ char *where = al_xasprintf("env file %s line %zu", path, lineno);
		if (env_apply(spec, line, where, err) < 0)
			return -1;
	}
	if (ferror(f))
		return al_err_sys(err, errno, "env file %s", path);
	return 0;
}

int al_parse_signal(const char *s, int *sig, struct al_err *err)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (*s && !*end && !errno && n > 0 && n < NSIG) {
		*sig = (int)n;
		return 0;
	}
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && strcasecmp(abbrev, name) == 0) {
			*sig = i;
			return 0;
		}
	}
	return al_err_set(err, EINVAL, "invalid signal: %s", s);
}
