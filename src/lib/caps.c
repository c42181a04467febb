/* caps.c: the sandbox's credentials: uid/gid switch, the five capability sets, securebits, no_new_privs.
 * Runs in the sandbox's pid 1 (a forked child): async-signal-safe, no malloc, no stdio. */
#include "caps.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* No libcap: all we need is capset (one raw syscall) and a handful of prctl calls. libcap would add a
 * shared-library dependency and an allocating text API to a code path that must stay signal-safe. */

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT		 47
#define PR_CAP_AMBIENT_RAISE	 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* Securebits locked for the sandbox's lifetime:
 * - NOROOT: uid 0 gains nothing at execve by being root; kept capabilities cross execve only through
 *   the ambient set, the same way for root and non-root. (The bounding set is already reduced to
 *   `keep`, so this is a second wall, not the only one.)
 * - NO_SETUID_FIXUP: the uid switch below neither clears nor recomputes capabilities, so the policy
 *   (`keep`), not the uid, decides them; it also replaces PR_SET_KEEPCAPS and lets CAP_SETPCAP stay
 *   effective until the final capset.
 * - KEEP_CAPS locked off: irrelevant once NO_SETUID_FIXUP is set, locked so nobody can change it.
 * With every bit locked the sandbox cannot alter them even if `keep` contains CAP_SETPCAP. */
#define AL_SECUREBITS (SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED)
/* With nothing kept, root must not regain anything at exec either. */
#define AL_SECUREBITS_NONE_KEPT (AL_SECUREBITS | SECBIT_NOROOT | SECBIT_NOROOT_LOCKED)

/* Fallback when neither /proc nor PR_CAPBSET_READ answers: CAP_CHECKPOINT_RESTORE (Linux 5.9). */
#define AL_CAP_LAST_FALLBACK 40

static int cap_last_cached = -1;

static int parse_small_uint(const char *s)
{
	int v = 0, digits = 0;
	for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
		v = v * 10 + (*s - '0');
	return digits > 0 && (*s == '\n' || *s == '\0') ? v : -1;
}

/* Probe the bounding set: PR_CAPBSET_READ fails with EINVAL past the last valid capability. Works
 * without /proc (e.g. before the sandbox's procfs is mounted). */
static int cap_last_probe(void)
{
	int last = -1;
	while (last < 63 && prctl(PR_CAPBSET_READ, (unsigned long)(last + 1), 0, 0, 0) >= 0)
		last++;
	return last;
}

int al_cap_last(void)
{
	char buf[16];
	int v;
	if (cap_last_cached >= 0)
		return cap_last_cached;
	v = al_read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", buf, sizeof buf) > 0
		? parse_small_uint(buf)
		: -1;
	if (v < 0 || v > 63)
		v = cap_last_probe();
	if (v < 0)
		v = AL_CAP_LAST_FALLBACK;
	cap_last_cached = v;
	return v;
}

static bool kept(uint64_t keep, int cap)
{
	return (keep >> cap) & 1;
}

static int drop_bounding(uint64_t keep, int last, struct al_err *err)
{
	for (int cap = 0; cap <= last; cap++) {
		if (kept(keep, cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
			return al_err_sys(err, errno, "drop capability %d from the bounding set", cap);
	}
	return 0;
}

static int set_cap_sets(const struct al_caps *c, struct al_err *err)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {0};
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].effective = data[i].permitted = (uint32_t)(c->keep >> (32 * i));
		/* Inheritable is empty unless asked for, as docker's since CVE-2022-24769: nothing passes
		 * through inheritable file capabilities. */
		data[i].inheritable = (uint32_t)((c->inheritable & c->keep) >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return al_err_sys(err, errno, "capset to keep set 0x%llx", (unsigned long long)c->keep);
	return 0;
}

/* The ambient set is empty unless asked for, as docker's: a kept capability reaches a root command
 * through the bounding set at exec, and a non-root command gets none (it may gain them from file
 * capabilities). What is asked for must be permitted and inheritable too. */
static int set_ambient(const struct al_caps *c, int last, struct al_err *err)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return al_err_sys(err, errno, "clear the ambient capability set");
	uint64_t raise = c->ambient & c->inheritable & c->keep;
	for (int cap = 0; cap <= last; cap++)
		if (kept(raise, cap) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
			return al_err_sys(err, errno, "raise ambient capability %d", cap);
	return 0;
}

/* Order matters: the bounding set and securebits need CAP_SETPCAP, so they come while we still hold
 * every capability of the namespace; NO_SETUID_FIXUP then keeps the sets intact across the uid switch;
 * the final capset reduces them to `keep`. */
int al_creds_apply(uid_t uid, gid_t gid, const struct al_caps *c, const gid_t *groups, size_t n_groups,
		   int setgroups_allowed, struct al_err *err)
{
	int last = al_cap_last();
	uint64_t keep = c->keep;
	if (last < 63 && (keep >> (last + 1)) != 0)
		return al_err_set(err, EINVAL, "capabilities 0x%llx: unknown to this kernel (last is %d)",
				  (unsigned long long)keep, last);
	if (setgroups_allowed && setgroups(n_groups, groups) < 0)
		return al_err_sys(err, errno, "setgroups: %zu supplementary groups", n_groups);
	if (drop_bounding(keep, last, err) < 0)
		return -1;
	unsigned bits = keep ? AL_SECUREBITS : AL_SECUREBITS_NONE_KEPT;
	if (prctl(PR_SET_SECUREBITS, (unsigned long)bits, 0, 0, 0) < 0)
		return al_err_sys(err, errno, "set securebits 0x%x", bits);
	if (setresgid(gid, gid, gid) < 0)
		return al_err_sys(err, errno, "setresgid to gid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return al_err_sys(err, errno, "setresuid to uid %u", (unsigned)uid);
	if (set_cap_sets(c, err) < 0 || set_ambient(c, last, err) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return al_err_sys(err, errno, "set no_new_privs");
	return 0;
}
