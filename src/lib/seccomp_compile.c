/* seccomp_compile.c: docker-format seccomp profiles (JSON, via jansson) compiled to BPF with libseccomp.
 * Owns airlock's mandatory denials, which run as a prefix in front of whatever the profile says.
 *
 * Why a prefix and not extra rules in the profile's filter: libseccomp merges rules per syscall, and an
 * unconditional rule swallows conditional ones. With "allow ioctl" in a profile, adding "deny ioctl when
 * arg1 == TIOCSTI" returns 0 and is silently dropped. So the denials are compiled as their own small
 * filter (default allow), and its "allow" returns are rewritten into jumps to the profile's filter. A
 * denial therefore always wins, whatever the profile allows and in whatever form. */
#include "seccomp_compile.h"

#include <fcntl.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <sched.h>
/* libseccomp's header. airlock's own src/lib/seccomp.h shadows <seccomp.h> on the -I path, so it is named
 * through a directory that -I src/lib does not have. */
#include <linux/../seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "json_cleanup.h"
#include "util.h"

/* Bump when a change here changes the BPF produced for the same profile: it invalidates cached filters. */
#define COMPILER_REVISION 2
#ifndef AIRLOCK_VERSION
#define AIRLOCK_VERSION "unknown"
#endif
#define PROFILE_MAX_BYTES (4u << 20)
#define MAX_ARCHES	  8
#define MAX_CONDITIONS	  16

/* What the compilation knows about the machine and the profile's defaults. */
struct compile {
	const char *what;
	uint32_t native;
	uint32_t arches[MAX_ARCHES];
	size_t n_arches;
	unsigned kernel_major, kernel_minor;
	uint32_t default_action;
};

static inline void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_scmp_ __attribute__((cleanup(seccomp_releasep)))

__attribute__((format(printf, 3, 4))) static int fail(const struct compile *c, struct al_err *err,
						      const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return al_err_set(err, EINVAL, "%s: %s", c->what, msg);
}

/* ---- values ---------------------------------------------------------------------------------------- */

/* A non-negative JSON integer no larger than max. jansson rejects integers above INT64_MAX at parse time. */
static bool get_uint(const json_t *v, uint64_t max, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static const struct {
	const char *name;
	uint32_t action;
	bool takes_errno; /* errnoRet is the errno (ERRNO) or the tracer's message (TRACE) */
} action_names[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
};

/* Parse an action name and its optional errno (errno_json may be NULL). fallback: errno when absent. */
static int parse_action(const struct compile *c, const json_t *name_json, const json_t *errno_json,
			uint16_t fallback, const char *where, uint32_t *out, struct al_err *err)
{
	const char *name = json_string_value(name_json);
	uint64_t errnum = fallback;
	if (!name)
		return fail(c, err, "%s: must be a string", where);
	for (size_t i = 0; i < AL_ARRAY_SIZE(action_names); i++) {
		if (strcmp(name, action_names[i].name) != 0)
			continue;
		if (errno_json && !json_is_null(errno_json)) {
			if (!action_names[i].takes_errno)
				return fail(c, err, "%s: %s takes no errnoRet", where, name);
			if (!get_uint(errno_json, 4095, &errnum))
				return fail(c, err, "%s: errnoRet must be an integer from 0 to 4095", where);
		}
		*out = action_names[i].takes_errno ? action_names[i].action | (uint32_t)errnum
						   : action_names[i].action;
		return 0;
	}
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return fail(c, err, "%s: SCMP_ACT_NOTIFY is not supported (airlock has no seccomp listener)",
			    where);
	return fail(c, err, "%s: unknown action \"%s\"", where, name);
}

/* ---- architectures ------------------------------------------------------------------------------- */

/* Names docker's includes/excludes "arches" use (Go's GOARCH), plus the kernel's spelling. */
static const struct {
	uint32_t arch;
	const char *names[3];
} arch_aliases[] = {
    {SCMP_ARCH_X86_64, {"amd64", "x86_64"}},
    {SCMP_ARCH_X86, {"386", "x86", "i386"}},
    {SCMP_ARCH_X32, {"x32"}},
    {SCMP_ARCH_AARCH64, {"arm64", "aarch64"}},
    {SCMP_ARCH_ARM, {"arm"}},
    {SCMP_ARCH_PPC64LE, {"ppc64le"}},
    {SCMP_ARCH_S390X, {"s390x"}},
    {SCMP_ARCH_S390, {"s390"}},
#ifdef SCMP_ARCH_RISCV64
    {SCMP_ARCH_RISCV64, {"riscv64"}},
#endif
};

static bool is_native_arch_name(const struct compile *c, const char *name)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(arch_aliases); i++)
		if (arch_aliases[i].arch == c->native)
			for (size_t j = 0; j < 3 && arch_aliases[i].names[j]; j++)
				if (strcmp(arch_aliases[i].names[j], name) == 0)
					return true;
	return false;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token, 0 when libseccomp does not know it. */
static uint32_t resolve_arch(const char *name)
{
	static const char prefix[] = "SCMP_ARCH_";
	char lower[32];
	size_t len;
	if (strncmp(name, prefix, sizeof prefix - 1) != 0)
		return 0;
	name += sizeof prefix - 1;
	len = strlen(name);
	if (len == 0 || len >= sizeof lower)
		return 0;
	for (size_t i = 0; i <= len; i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	return seccomp_arch_resolve_name(lower);
}

static int add_arch(struct compile *c, scmp_filter_ctx ctx, const json_t *name_json, const char *where,
		    struct al_err *err)
{
	const char *name = json_string_value(name_json);
	uint32_t arch = name ? resolve_arch(name) : 0;
	if (!name)
		return fail(c, err, "%s: architecture must be a string", where);
	if (!arch)
		return fail(c, err, "%s: unknown architecture \"%s\"", where, name);
	for (size_t i = 0; i < c->n_arches; i++)
		if (c->arches[i] == arch)
			return 0;
	if (c->n_arches == MAX_ARCHES)
		return fail(c, err, "%s: too many architectures", where);
	int r = seccomp_arch_add(ctx, arch);
	if (r < 0 && r != -EEXIST)
		return al_err_sys(err, -r, "%s: %s: architecture %s", c->what, where, name);
	c->arches[c->n_arches++] = arch;
	return 0;
}

/* archMap (docker): only the entry of the running architecture counts, with its subarchitectures. */
static int parse_arch_map(struct compile *c, scmp_filter_ctx ctx, const json_t *map, struct al_err *err)
{
	size_t i, j;
	json_t *entry, *sub;
	char where[96];
	json_array_foreach (map, i, entry) {
		snprintf(where, sizeof where, "archMap[%zu]", i);
		const char *name = json_string_value(json_object_get(entry, "architecture"));
		json_t *subs = json_object_get(entry, "subArchitectures");
		if (!json_is_object(entry) || !name)
			return fail(c, err, "%s: must be an object with a string \"architecture\"", where);
		if (subs && !json_is_null(subs) && !json_is_array(subs))
			return fail(c, err, "%s.subArchitectures: must be an array", where);
		if (resolve_arch(name) != c->native)
			continue; /* another machine's (maybe unknown to this libseccomp) */
		json_array_foreach (subs, j, sub) {
			snprintf(where, sizeof where, "archMap[%zu].subArchitectures[%zu]", i, j);
			if (add_arch(c, ctx, sub, where, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int parse_arches(struct compile *c, scmp_filter_ctx ctx, const json_t *root, struct al_err *err)
{
	const json_t *map = json_object_get(root, "archMap"), *list = json_object_get(root, "architectures");
	size_t i;
	json_t *name;
	char where[96];
	if (map && !json_is_null(map) && !json_is_array(map))
		return fail(c, err, "archMap: must be an array");
	if (list && !json_is_null(list) && !json_is_array(list))
		return fail(c, err, "architectures: must be an array");
	if (json_array_size(map) > 0 && json_array_size(list) > 0)
		return fail(c, err, "both \"architectures\" and \"archMap\" are given; use one");
	if (json_array_size(map) > 0)
		return parse_arch_map(c, ctx, map, err);
	json_array_foreach (list, i, name) {
		snprintf(where, sizeof where, "architectures[%zu]", i);
		if (add_arch(c, ctx, name, where, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- includes / excludes ----------------------------------------------------------------------------- */

struct conditions {
	bool has_caps, has_arches, arch_match, has_kernel, kernel_ge;
};

static int parse_min_kernel(const struct compile *c, const json_t *v, const char *where, bool *ge,
			    struct al_err *err)
{
	unsigned major, minor;
	char tail;
	const char *s = json_string_value(v);
	if (!s || sscanf(s, "%u.%u%c", &major, &minor, &tail) != 2)
		return fail(c, err, "%s.minKernel: must be a string \"MAJOR.MINOR\"", where);
	*ge = c->kernel_major > major || (c->kernel_major == major && c->kernel_minor >= minor);
	return 0;
}

static int parse_conditions(const struct compile *c, const json_t *obj, const char *where,
			    struct conditions *out, struct al_err *err)
{
	const json_t *caps = json_object_get(obj, "caps"), *arches = json_object_get(obj, "arches");
	const json_t *kernel = json_object_get(obj, "minKernel"), *v;
	size_t i;
	*out = (struct conditions){0};
	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return fail(c, err, "%s: must be an object", where);
	if ((caps && !json_is_null(caps) && !json_is_array(caps)) ||
	    (arches && !json_is_null(arches) && !json_is_array(arches)))
		return fail(c, err, "%s: caps and arches must be arrays", where);
	out->has_caps = json_array_size(caps) > 0;
	out->has_arches = json_array_size(arches) > 0;
	json_array_foreach (arches, i, v) {
		if (!json_is_string(v))
			return fail(c, err, "%s.arches[%zu]: must be a string", where, i);
		out->arch_match |= is_native_arch_name(c, json_string_value(v));
	}
	out->has_kernel =
	    kernel && !json_is_null(kernel) && !(json_is_string(kernel) && !*json_string_value(kernel));
	if (out->has_kernel && parse_min_kernel(c, kernel, where, &out->kernel_ge, err) < 0)
		return -1;
	return 0;
}

/* Docker's filtering for a sandbox that holds no capability: a rule needing a capability is dropped, a rule
 * excluded by a capability stays. Arches are those of the running machine; minKernel the running kernel. */
static int rule_applies(const struct compile *c, const json_t *entry, const char *where, bool *applies,
			struct al_err *err)
{
	char sub[64];
	struct conditions inc, exc;
	snprintf(sub, sizeof sub, "%s.includes", where);
	if (parse_conditions(c, json_object_get(entry, "includes"), sub, &inc, err) < 0)
		return -1;
	snprintf(sub, sizeof sub, "%s.excludes", where);
	if (parse_conditions(c, json_object_get(entry, "excludes"), sub, &exc, err) < 0)
		return -1;
	*applies = !inc.has_caps && (!inc.has_arches || inc.arch_match) &&
		   (!inc.has_kernel || inc.kernel_ge) && !(exc.has_arches && exc.arch_match) &&
		   !(exc.has_kernel && exc.kernel_ge);
	return 0;
}

/* ---- rules --------------------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	enum scmp_compare op;
} compare_names[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static int parse_arg(const struct compile *c, const json_t *arg, const char *where, struct scmp_arg_cmp *out,
		     struct al_err *err)
{
	const json_t *value = json_object_get(arg, "value"), *two = json_object_get(arg, "valueTwo");
	const char *op = json_string_value(json_object_get(arg, "op"));
	uint64_t index;
	if (!json_is_object(arg))
		return fail(c, err, "%s: must be an object", where);
	if (!get_uint(json_object_get(arg, "index"), 5, &index))
		return fail(c, err, "%s.index: must be an integer from 0 to 5", where);
	*out = (struct scmp_arg_cmp){.arg = (unsigned)index};
	if ((value && !get_uint(value, UINT64_MAX, &out->datum_a)) ||
	    (two && !get_uint(two, UINT64_MAX, &out->datum_b)))
		return fail(c, err, "%s: value and valueTwo must be non-negative integers", where);
	for (size_t i = 0; op && i < AL_ARRAY_SIZE(compare_names); i++)
		if (strcmp(op, compare_names[i].name) == 0) {
			out->op = compare_names[i].op;
			return 0;
		}
	return op ? fail(c, err, "%s.op: unknown operator \"%s\"", where, op)
		  : fail(c, err, "%s.op: must be a string", where);
}

/* Arguments are ANDed; when one index appears twice they become separate rules (ORed), as runc does,
 * since libseccomp cannot hold two comparisons of one argument in a rule. */
static int parse_args(const struct compile *c, const json_t *args, const char *where,
		      struct scmp_arg_cmp *cmps, unsigned *n, bool *ored, struct al_err *err)
{
	unsigned seen = 0;
	size_t i;
	json_t *arg;
	char sub[64];
	*n = 0;
	*ored = false;
	if (!args || json_is_null(args))
		return 0;
	if (!json_is_array(args) || json_array_size(args) > MAX_CONDITIONS)
		return fail(c, err, "%s.args: must be an array of at most %d conditions", where,
			    MAX_CONDITIONS);
	json_array_foreach (args, i, arg) {
		snprintf(sub, sizeof sub, "%s.args[%zu]", where, i);
		if (parse_arg(c, arg, sub, &cmps[i], err) < 0)
			return -1;
		*ored |= (seen & (1u << cmps[i].arg)) != 0;
		seen |= 1u << cmps[i].arg;
	}
	*n = (unsigned)json_array_size(args);
	return 0;
}

static int add_rules(const struct compile *c, scmp_filter_ctx ctx, const char *name, uint32_t action,
		     const struct scmp_arg_cmp *cmps, unsigned n, bool ored, const char *where,
		     struct al_err *err)
{
	int nr = seccomp_syscall_resolve_name(name), r = 0;
	if (nr == __NR_SCMP_ERROR)
		return 0; /* unknown to this libseccomp: skipped, as docker does */
	if (!ored)
		r = seccomp_rule_add_array(ctx, action, nr, n, cmps);
	for (unsigned i = 0; ored && i < n && r == 0; i++)
		r = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i]);
	if (r < 0)
		return al_err_sys(err, -r, "%s: %s: rule for %s", c->what, where, name);
	return 0;
}

static int add_syscall_entry(const struct compile *c, scmp_filter_ctx ctx, const json_t *entry, size_t idx,
			     struct al_err *err)
{
	char where[32];
	const json_t *names = json_object_get(entry, "names"), *name = json_object_get(entry, "name"), *v;
	struct scmp_arg_cmp cmps[MAX_CONDITIONS];
	unsigned n;
	bool ored, applies;
	uint32_t action;
	size_t i;
	snprintf(where, sizeof where, "syscalls[%zu]", idx);
	if (!json_is_object(entry))
		return fail(c, err, "%s: must be an object", where);
	if (names && !json_is_null(names) && !json_is_array(names))
		return fail(c, err, "%s.names: must be an array of strings", where);
	if (name && !json_is_null(name) && !json_is_string(name))
		return fail(c, err, "%s.name: must be a string", where);
	if (json_array_size(names) > 0 && json_string_length(name) > 0)
		return fail(c, err, "%s: both \"name\" and \"names\" are given; use one", where);
	if (parse_action(c, json_object_get(entry, "action"), json_object_get(entry, "errnoRet"), EPERM,
			 where, &action, err) < 0 ||
	    parse_args(c, json_object_get(entry, "args"), where, cmps, &n, &ored, err) < 0 ||
	    rule_applies(c, entry, where, &applies, err) < 0)
		return -1;
	json_array_foreach (names, i, v) {
		if (!json_is_string(v))
			return fail(c, err, "%s.names[%zu]: must be a string", where, i);
	}
	/* libseccomp refuses a rule that repeats the default action; the profile already says it. */
	if (!applies || action == c->default_action)
		return 0;
	if (json_string_length(name) > 0)
		return add_rules(c, ctx, json_string_value(name), action, cmps, n, ored, where, err);
	json_array_foreach (names, i, v) {
		if (add_rules(c, ctx, json_string_value(v), action, cmps, n, ored, where, err) < 0)
			return -1;
	}
	return 0;
}

static void set_filter_attrs(scmp_filter_ctx ctx, uint32_t badarch)
{
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badarch);
	/* Binary search over syscall numbers: a 350-entry allowlist costs ~10 comparisons, not ~350. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
}

static int compile_profile(struct compile *c, const json_t *root, scmp_filter_ctx *out, struct al_err *err)
{
	const json_t *syscalls = json_object_get(root, "syscalls"), *entry;
	uint64_t default_errno = EPERM;
	const json_t *errno_json = json_object_get(root, "defaultErrnoRet");
	size_t i;
	if (errno_json && !json_is_null(errno_json) && !get_uint(errno_json, 4095, &default_errno))
		return fail(c, err, "defaultErrnoRet: must be an integer from 0 to 4095");
	if (parse_action(c, json_object_get(root, "defaultAction"), NULL, (uint16_t)default_errno,
			 "defaultAction", &c->default_action, err) < 0)
		return -1;
	_cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(c->default_action);
	if (!ctx)
		return fail(c, err, "defaultAction: not supported by libseccomp");
	set_filter_attrs(ctx, SCMP_ACT_KILL_PROCESS);
	if (parse_arches(c, ctx, root, err) < 0)
		return -1;
	if (syscalls && !json_is_null(syscalls) && !json_is_array(syscalls))
		return fail(c, err, "syscalls: must be an array");
	json_array_foreach (syscalls, i, entry) {
		if (add_syscall_entry(c, ctx, entry, i, err) < 0)
			return -1;
	}
	*out = steal_pointer(&ctx);
	return 0;
}

/* ---- airlock's denials ----------------------------------------------------------------------------------
 */

#define ANY_ARGS	(-1)
#define CLONE_FLAGS_ARG (-2) /* argument 0, except on s390 where clone's flags come second */
#define NO_ARG		(-3)
#define DENY(name, errnum)                                                                                   \
	{                                                                                                    \
		name, errnum, ANY_ARGS, 0, 0, false, NO_ARG, 0, 0                                            \
	}
#define DENY_IF(name, errnum, arg, mask, value)                                                              \
	{                                                                                                    \
		name, errnum, arg, mask, value, false, NO_ARG, 0, 0                                          \
	}
/* The mode of open and openat means something only with O_CREAT or O_TMPFILE in the flags: otherwise
 * the register holds whatever the caller left there, and a stray S_ISUID bit must not deny the open. */
#define DENY_IF_CREATING(name, errnum, flags_arg, mode_arg, bit, creat_flag)                                 \
	{                                                                                                    \
		name, errnum, mode_arg, bit, bit, false, flags_arg, creat_flag, creat_flag                   \
	}
#define DENY_IF_KNOWN(name, errnum, arg, mask, value)                                                        \
	{                                                                                                    \
		name, errnum, arg, mask, value, true, NO_ARG, 0, 0                                           \
	}

static const struct denial {
	const char *name;
	int errnum;
	int arg;
	uint64_t mask, value; /* deny when (arg & mask) == value */
	bool optional;	      /* an older libseccomp may not know it; see below */
	int arg2;	      /* and (arg2 & mask2) == value2, when arg2 is not NO_ARG */
	uint64_t mask2, value2;
} denials[] = {
    /* io_uring performs file and network operations from kernel workers that seccomp never sees. */
    DENY("io_uring_setup", EPERM),
    DENY("io_uring_enter", EPERM),
    DENY("io_uring_register", EPERM),
    /* Kernel attack surface with no place in a sandbox; the keyring is not namespaced. */
    DENY("userfaultfd", EPERM),
    DENY("bpf", EPERM),
    DENY("perf_event_open", EPERM),
    DENY("keyctl", EPERM),
    DENY("add_key", EPERM),
    DENY("request_key", EPERM),
    /* No new user namespace (the door to most unprivileged kernel exploits) and no joining one. clone3
     * hides its flags in memory, so it gets ENOSYS and libc falls back to clone, whose flags are seen. */
    DENY_IF("clone", EPERM, CLONE_FLAGS_ARG, CLONE_NEWUSER, CLONE_NEWUSER),
    DENY_IF("unshare", EPERM, 0, CLONE_NEWUSER, CLONE_NEWUSER),
    DENY("setns", EPERM),
    DENY("clone3", ENOSYS),
    /* 32-bit x86 can create sockets through socketcall, whose arguments are in memory. libseccomp turns a
     * profile's argument-filtered socket rules into "socketcall(SYS_SOCKET): allow", arguments dropped,
     * so socket creation through socketcall is refused; 32-bit programs use socket(2) (Linux 4.3+). */
    DENY_IF("socketcall", EPERM, 0, 0xffffffff, 1 /* SYS_SOCKET */),
    /* Keystroke injection into the caller's terminal. The kernel reads the command as 32 bits, so only
     * the low 32 bits are compared (TIOCSTI | 1 << 32 is still TIOCSTI). */
    DENY_IF("ioctl", EPERM, 1, 0xffffffff, TIOCSTI),
    DENY_IF("ioctl", EPERM, 1, 0xffffffff, TIOCLINUX),
    /* No set-id file: rw volumes are idmapped to their host owner, so a set-id file made there would run
     * with the owner's ids on the host. Mode changes and creations with S_ISUID or S_ISGID are refused.
     * openat2 carries its mode in memory: ENOSYS, and callers fall back to openat. */
    DENY_IF("chmod", EPERM, 1, S_ISUID, S_ISUID),
    DENY_IF("chmod", EPERM, 1, S_ISGID, S_ISGID),
    DENY_IF("fchmod", EPERM, 1, S_ISUID, S_ISUID),
    DENY_IF("fchmod", EPERM, 1, S_ISGID, S_ISGID),
    DENY_IF("fchmodat", EPERM, 2, S_ISUID, S_ISUID),
    DENY_IF("fchmodat", EPERM, 2, S_ISGID, S_ISGID),
    /* Linux 6.6; an unknown name cannot be filtered here, and an allowlist profile denies it anyway. */
    DENY_IF_KNOWN("fchmodat2", EPERM, 2, S_ISUID, S_ISUID),
    DENY_IF_KNOWN("fchmodat2", EPERM, 2, S_ISGID, S_ISGID),
    DENY_IF_CREATING("open", EPERM, 1, 2, S_ISUID, O_CREAT),
    DENY_IF_CREATING("open", EPERM, 1, 2, S_ISGID, O_CREAT),
    DENY_IF_CREATING("open", EPERM, 1, 2, S_ISUID, O_TMPFILE & ~O_DIRECTORY),
    DENY_IF_CREATING("open", EPERM, 1, 2, S_ISGID, O_TMPFILE & ~O_DIRECTORY),
    DENY_IF_CREATING("openat", EPERM, 2, 3, S_ISUID, O_CREAT),
    DENY_IF_CREATING("openat", EPERM, 2, 3, S_ISGID, O_CREAT),
    DENY_IF_CREATING("openat", EPERM, 2, 3, S_ISUID, O_TMPFILE & ~O_DIRECTORY),
    DENY_IF_CREATING("openat", EPERM, 2, 3, S_ISGID, O_TMPFILE & ~O_DIRECTORY),
    DENY_IF("creat", EPERM, 1, S_ISUID, S_ISUID),
    DENY_IF("creat", EPERM, 1, S_ISGID, S_ISGID),
    DENY_IF("mknod", EPERM, 1, S_ISUID, S_ISUID),
    DENY_IF("mknod", EPERM, 1, S_ISGID, S_ISGID),
    DENY_IF("mknodat", EPERM, 2, S_ISUID, S_ISUID),
    DENY_IF("mknodat", EPERM, 2, S_ISGID, S_ISGID),
    DENY("openat2", ENOSYS),
};

static int add_denial(const struct compile *c, scmp_filter_ctx ctx, const struct denial *d,
		      struct al_err *err)
{
	int nr = seccomp_syscall_resolve_name(d->name), r;
	int arg = d->arg;
	if (nr == __NR_SCMP_ERROR) {
		if (d->optional)
			return 0;
		return al_err_set(err, ENOSYS, "%s: libseccomp %u.%u does not know %s", c->what,
				  seccomp_version()->major, seccomp_version()->minor, d->name);
	}
	if (arg == CLONE_FLAGS_ARG)
		arg = c->native == SCMP_ARCH_S390X || c->native == SCMP_ARCH_S390 ? 1 : 0;
	if (arg == ANY_ARGS)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(d->errnum), nr, 0);
	else if (d->arg2 == NO_ARG)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(d->errnum), nr, 1,
				     SCMP_CMP((unsigned)arg, SCMP_CMP_MASKED_EQ, d->mask, d->value));
	else
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(d->errnum), nr, 2,
				     SCMP_CMP((unsigned)arg, SCMP_CMP_MASKED_EQ, d->mask, d->value),
				     SCMP_CMP((unsigned)d->arg2, SCMP_CMP_MASKED_EQ, d->mask2, d->value2));
	if (r < 0)
		return al_err_sys(err, -r, "%s: airlock denial of %s", c->what, d->name);
	return 0;
}

/* The denials as a filter of their own: allow by default, also for architectures it does not list, so
 * that every "allow" can become "continue with the profile". */
static int compile_denials(const struct compile *c, scmp_filter_ctx *out, struct al_err *err)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return al_err_set(err, ENOMEM, "%s: seccomp_init failed", c->what);
	set_filter_attrs(ctx, SCMP_ACT_ALLOW);
	for (size_t i = 0; i <= c->n_arches; i++) {
		/* x32 calls carry the x86-64 audit arch, so a profile without x32 would not stop them at its
		 * arch check; the denials cover x32 whatever the profile lists. */
		uint32_t arch = i < c->n_arches			? c->arches[i]
				: c->native == SCMP_ARCH_X86_64 ? SCMP_ARCH_X32
								: 0;
		int r = arch ? seccomp_arch_add(ctx, arch) : 0;
		if (r < 0 && r != -EEXIST)
			return al_err_sys(err, -r, "%s: architecture %#x", c->what, arch);
	}
	for (size_t i = 0; i < AL_ARRAY_SIZE(denials); i++)
		if (add_denial(c, ctx, &denials[i], err) < 0)
			return -1;
	*out = steal_pointer(&ctx);
	return 0;
}

/* ---- BPF ------------------------------------------------------------------------------------------------
 */

/* libseccomp 2.5 exports only to an fd; a memfd keeps it off the disk. */
static int export_bpf(const struct compile *c, scmp_filter_ctx ctx, struct sock_filter **insns, size_t *n,
		      struct al_err *err)
{
	_cleanup_close_ int fd = memfd_create("airlock-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return al_err_sys(err, errno, "%s: memfd_create", c->what);
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return al_err_sys(err, -r, "%s: seccomp_export_bpf", c->what);
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return al_err_set(err, E2BIG, "%s: exported filter has a bad size (%lld bytes)", c->what,
				  (long long)size);
	_cleanup_free_ struct sock_filter *buf = al_xmalloc((size_t)size);
	ssize_t got = lseek(fd, 0, SEEK_SET) < 0 ? -errno : al_read_all(fd, buf, (size_t)size);
	if (got != (ssize_t)size)
		return al_err_sys(err, got < 0 ? (int)-got : EIO, "%s: reading the exported filter", c->what);
	*n = (size_t)size / sizeof(struct sock_filter);
	*insns = steal_pointer(&buf);
	return 0;
}

/* prefix ++ body, with the prefix's "return ALLOW" turned into "jump to the body". The body starts by
 * loading what it needs, so it assumes nothing about the prefix's registers. */
static int splice_prefix(const struct compile *c, const struct sock_filter *prefix, size_t n_prefix,
			 const struct sock_filter *body, size_t n_body, struct al_bpf *out,
			 struct al_err *err)
{
	size_t total = n_prefix + n_body;
	if (total > BPF_MAXINSNS)
		return al_err_set(err, E2BIG,
				  "%s: compiled filter has %zu instructions, more than the kernel's %d",
				  c->what, total, BPF_MAXINSNS);
	struct sock_filter *insns = al_xmalloc(total * sizeof *insns);
	for (size_t i = 0; i < n_prefix; i++) {
		insns[i] = prefix[i];
		if (BPF_CLASS(prefix[i].code) != BPF_RET)
			continue;
		if (BPF_RVAL(prefix[i].code) != BPF_K ||
		    (prefix[i].k != SCMP_ACT_ALLOW &&
		     (prefix[i].k & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)) {
			free(insns);
			return al_err_set(err, EINVAL, "%s: unexpected return at %zu in the denial filter",
					  c->what, i);
		}
		if (prefix[i].k == SCMP_ACT_ALLOW)
			insns[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
								(uint32_t)(n_prefix - i - 1), 0, 0);
	}
	memcpy(insns + n_prefix, body, n_body * sizeof *body);
	*out = (struct al_bpf){.insns = insns, .len = (unsigned short)total, .owned = true};
	return 0;
}

static void init_compile(struct compile *c, const char *what)
{
	struct utsname u;
	*c = (struct compile){.what = what ? what : "seccomp profile", .native = seccomp_arch_native()};
	c->arches[c->n_arches++] = c->native;
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &c->kernel_major, &c->kernel_minor) != 2)
		c->kernel_major = c->kernel_minor = 0;
	/* Export needs no kernel support; a build host whose seccomp is off must still accept KILL_PROCESS
	 * and LOG, which every kernel airlock runs on (5.12+ for mount_setattr) has. */
	if (seccomp_api_get() < 3)
		seccomp_api_set(3);
}

int al_seccomp_compile_json(const char *json_text, size_t len, const char *what, struct al_bpf *out,
			    struct al_err *err)
{
	struct compile c;
	json_error_t jerr;
	_cleanup_scmp_ scmp_filter_ctx profile = NULL, deny = NULL;
	_cleanup_free_ struct sock_filter *prefix = NULL, *body = NULL;
	size_t n_prefix, n_body;

	init_compile(&c, what);
	_cleanup_json_ json_t *root = json_loadb(json_text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return al_err_set(err, EINVAL, "%s: line %d column %d: %s", c.what, jerr.line, jerr.column,
				  jerr.text);
	if (!json_is_object(root))
		return fail(&c, err, "must be a JSON object");
	if (compile_profile(&c, root, &profile, err) < 0 || compile_denials(&c, &deny, err) < 0 ||
	    export_bpf(&c, deny, &prefix, &n_prefix, err) < 0 ||
	    export_bpf(&c, profile, &body, &n_body, err) < 0)
		return -1;
	return splice_prefix(&c, prefix, n_prefix, body, n_body, out, err);
}

void al_seccomp_compile_env(char *buf, size_t size)
{
	struct compile c;
	struct utsname u;
	const struct scmp_version *v = seccomp_version();
	init_compile(&c, NULL);
	if (uname(&u) < 0)
		u.release[0] = '\0';
	snprintf(buf, size, "airlock %s; compiler %d; libseccomp %u.%u.%u; arch %#x; kernel %s",
		 AIRLOCK_VERSION, COMPILER_REVISION, v->major, v->minor, v->micro, c.native, u.release);
}

int al_seccomp_read_profile(const char *path, char **text, size_t *len, struct al_err *err)
{
	struct stat st;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return al_err_sys(err, errno, "seccomp profile %s", path);
	if (!S_ISREG(st.st_mode))
		return al_err_set(err, EINVAL, "seccomp profile %s: not a regular file", path);
	if (st.st_size > (off_t)PROFILE_MAX_BYTES)
		return al_err_set(err, EFBIG, "seccomp profile %s: larger than %u bytes", path,
				  PROFILE_MAX_BYTES);
	_cleanup_free_ char *buf = al_xmalloc((size_t)st.st_size + 1);
	ssize_t n = al_read_all(fd, buf, (size_t)st.st_size + 1);
	if (n < 0)
		return al_err_sys(err, (int)-n, "seccomp profile %s", path);
	if (n != st.st_size)
		return al_err_set(err, EAGAIN, "seccomp profile %s: changed while being read", path);
	buf[n] = '\0';
	*len = (size_t)n;
	*text = steal_pointer(&buf);
	return 0;
}
