/* caps.h: the sandbox's credentials: user and group switch, capability sets, no_new_privs.
 * Child side only; runs after the root is built, before Landlock and seccomp. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Become uid:gid inside the user namespace with no supplementary groups (where the namespace
 * allows setgroups), keep exactly the capabilities in `keep` (bit N = capability N) in the
 * bounding, permitted and effective sets, with inheritable and ambient empty (docker's semantics:
 * kept caps reach a root command at exec through the bounding set, a non-root command gets none),
 * lock securebits (NO_SETUID_FIXUP, KEEP_CAPS off; NOROOT too when nothing is kept), and set
 * no_new_privs. Must start as uid 0 with full caps in the namespace. Async-signal-safe apart from formatting
 * *err; meant for a forked child. */
int al_creds_apply(uid_t uid, gid_t gid, uint64_t keep, int setgroups_allowed, struct al_err *err);
/* The highest capability number this kernel knows: /proc/sys/kernel/cap_last_cap, else probed with
 * PR_CAPBSET_READ (works without /proc). Cached after the first call. */
int al_cap_last(void);
