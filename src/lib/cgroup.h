/* cgroup.h: resource limits and accounting through cgroups, with a v1 and a v2 backend.
 * Parent side: create before the sandbox starts, add its pid, read stats, destroy at teardown. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct al_cgroup;

struct al_cgroup_stats {
	bool oom_killed;      /* the kernel OOM-killed a process of this group */
	bool pids_max_hit;    /* a fork failed because of pids.max */
	uint64_t cpu_usage_ns;
	uint64_t memory_peak; /* bytes, 0 when unknown */
};

/* Which backend the host offers, decided from the mounts under root (normally /sys/fs/cgroup;
 * tests pass a fake tree). */
enum al_cgroup_version { AL_CGROUP_NONE, AL_CGROUP_V1, AL_CGROUP_V2 };
enum al_cgroup_version al_cgroup_detect(const char *root);

/* Create the sandbox's cgroup(s) named `name` under airlock's parent group and apply *lim.
 * rootless: use only a delegated (writable) v2 subtree of the caller's own cgroup.
 * When no limit is set and no cgroup is usable, *out is NULL and 0 is returned (nothing to do).
 * A limit that cannot be enforced is an error naming the limit and why. On error nothing is left. */
int al_cgroup_create(const char *root, const char *name, const struct al_limits *lim, bool rootless,
                     struct al_cgroup **out, struct al_err *err);
/* Move pid into the group(s). */
int al_cgroup_add_pid(struct al_cgroup *cg, pid_t pid, struct al_err *err);
/* For clone3(CLONE_INTO_CGROUP): an O_DIRECTORY fd of the v2 group, or -1 (v1 / none). Not owned. */
int al_cgroup_v2_fd(const struct al_cgroup *cg);
int al_cgroup_stats(struct al_cgroup *cg, struct al_cgroup_stats *st);
/* SIGKILL every process in the group (cgroup.kill on v2, procs walk on v1). */
int al_cgroup_kill(struct al_cgroup *cg);
/* Kill what is left, wait until empty (bounded), rmdir every directory, free. NULL is fine. */
void al_cgroup_destroy(struct al_cgroup *cg);
/* Remove airlock's leftover groups whose processes are all gone (a killed airlock leaves them). */
void al_cgroup_sweep(const char *root, bool rootless);
