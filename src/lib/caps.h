/* caps.h: the sandbox's credentials: user and group switch, capability sets, no_new_privs.
 * Child side only; runs after the root is built, before Landlock and seccomp. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* The capability sets of the sandbox (bit N = capability N). */
struct al_caps {
	uint64_t keep;	      /* bounding, permitted and effective */
	uint64_t inheritable; /* within keep; empty as docker's unless an OCI config asks */
	uint64_t ambient;     /* within keep and inheritable */
};

/* Become uid:gid inside the user namespace with exactly `groups` as supplementary groups (where the
 * namespace allows setgroups), keep c->keep in the bounding, permitted and effective sets and
 * c->inheritable and c->ambient as asked (docker's default: both empty, so kept caps reach a root
 * command at exec through the bounding set and a non-root command gets none), lock securebits
 * (NO_SETUID_FIXUP, KEEP_CAPS off; NOROOT too when nothing is kept), and set no_new_privs. Must start
 * as uid 0 with full caps in the namespace. Async-signal-safe apart from formatting *err; meant for a
 * forked child. */
int al_creds_apply(uid_t uid, gid_t gid, const struct al_caps *c, const gid_t *groups, size_t n_groups,
		   int setgroups_allowed, struct al_err *err);
/* The highest capability number this kernel knows: /proc/sys/kernel/cap_last_cap, else probed with
 * PR_CAPBSET_READ (works without /proc). Cached after the first call. */
int al_cap_last(void);
