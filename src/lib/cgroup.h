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
	bool oom_killed;   /* the kernel OOM-killed a process of this group */
	bool pids_max_hit; /* a fork failed because of pids.max */
	uint64_t cpu_usage_ns;
	uint64_t memory_peak; /* bytes, 0 when unknown */
};

/* Which backend the host offers, decided from the mounts under root (normally /sys/fs/cgroup):
 * V2 when root is a cgroup2 mount, V1 when root/memory or root/pids is a v1 hierarchy (a hybrid
 * host, with an empty cgroup2 at root/unified, is V1). Tests pass a fake tree: root/cgroup.controllers
 * marks v2, root/memory/memory.limit_in_bytes or root/pids/pids.max marks v1. */
enum al_cgroup_version { AL_CGROUP_NONE, AL_CGROUP_V1, AL_CGROUP_V2 };
enum al_cgroup_version al_cgroup_detect(const char *root);

/* Create the sandbox's cgroup(s) named `name` ([A-Za-z0-9_.-], at most 128) and apply *lim.
 * Layout: v1 ROOT/<ctrl>/airlock/<name> for memory (--memory), pids (--pids-limit), cpu (--cpus) and
 * always cpuacct when mounted; v2 ROOT/airlock/<name>, "+memory +pids +cpu" enabled on the way down
 * as needed. The "airlock" parents are made on demand and stay, as docker's /docker does.
 * Even without limits a group is made when possible: it is what kills daemonized leftovers.
 * rootless (or euid != 0): v2 only, in BASE/airlock/<name> where BASE is the caller's own cgroup
 * (/proc/self/cgroup "0::") or its parent, the first that is writable and can enable the needed
 * controllers ("no internal processes": own works only when no controller is needed).
 * Limits: memory_swap follows docker (memory+swap; unset = 2 x memory; -1 = unlimited swap); v2
 * gets memory.swap.max = memory_swap - memory and memory.oom.group = 1. Without swap accounting an
 * unset memory_swap is not enforced (as docker), memory_swap == memory becomes v1 swappiness 0, more
 * swap is an error. cpus: quota cpus_milli*100 per 100000us period (minimum 0.01 CPU).
 * A limit that cannot be enforced is an error naming the limit and why, except a limit the launcher
 * defaulted (memory_defaulted, pids_defaulted) which is dropped. When no limit is set and no cgroup is
 * usable, *out is NULL and 0 is returned (nothing to do). On error nothing of the group is left. */
int al_cgroup_create(const char *root, const char *name, const struct al_limits *lim, bool rootless,
		     struct al_cgroup **out, struct al_err *err);
/* Move pid into the group(s) (one cgroup.procs write per hierarchy on v1). */
int al_cgroup_add_pid(struct al_cgroup *cg, pid_t pid, struct al_err *err);
/* For clone3(CLONE_INTO_CGROUP): an O_DIRECTORY fd of the v2 group, or -1 (v1 / none). Not owned. */
int al_cgroup_v2_fd(const struct al_cgroup *cg);
/* Zeroes *st, then fills what the host offers. NULL cg is fine (all zero). */
int al_cgroup_stats(struct al_cgroup *cg, struct al_cgroup_stats *st);
/* SIGKILL every process in the group (cgroup.kill on v2; one cgroup.procs walk on v1, where a
 * racing fork may escape this pass: destroy walks until empty). NULL is fine. */
int al_cgroup_kill(struct al_cgroup *cg);
/* Kill what is left, wait until empty (pidfds, bounded to 2 s), rmdir every directory, free.
 * When the sandbox already exited this is one read of cgroup.procs and the rmdirs. NULL is fine. */
void al_cgroup_destroy(struct al_cgroup *cg);
/* A group name al_cgroup_create takes: [A-Za-z0-9_.-], 1 to 128 bytes, not starting with '.' or '-'. */
bool al_cgroup_valid_name(const char *name);
/* As al_cgroup_create as root, with the group at PARENT/NAME instead of airlock/NAME: parent is one or
 * more components ("kubepods/burstable/pod1"), made on demand (on v2 with the controllers enabled on
 * the way down) and left in place, as docker's /docker is. airlock-runtime's cgroupsPath. */
int al_cgroup_create_in(const char *root, const char *parent, const char *name, const struct al_limits *lim,
			struct al_cgroup **out, struct al_err *err);
/* Open the existing group PARENT/NAME (NULL parent = "airlock") made by an earlier create (for
 * airlock-runtime's later verbs). *out is NULL (and 0 returned) when no leaf of it exists. */
int al_cgroup_open(const char *root, const char *parent, const char *name, struct al_cgroup **out,
		   struct al_err *err);
/* Close the handle and leave the group as it is (its processes outlive the caller). NULL is fine. */
void al_cgroup_release(struct al_cgroup *cg);
/* Pause (true) or resume every process of the group: the v2 cgroup.freeze file, or the v1 freezer
 * hierarchy (joined only when limits.freezer was set). Waits until the kernel reports it done. */
int al_cgroup_freeze(struct al_cgroup *cg, bool frozen, struct al_err *err);
/* Whether the group is frozen (false for NULL or without a freezer). */
bool al_cgroup_frozen(struct al_cgroup *cg);
/* The host pids of the group's processes: *pids (caller frees) holds *n of them. 0, or -1 with *err. */
int al_cgroup_pids(struct al_cgroup *cg, pid_t **pids, size_t *n, struct al_err *err);
/* Remove airlock's leftover groups whose processes are all gone (a killed airlock leaves them).
 * Live groups are told apart by the flock their owner holds on the leaf for the group's whole life;
 * groups younger than 2 s are left alone (their creator may not hold the lock yet). Groups that
 * still have processes are never touched. One readdir (v1: of cpuacct/airlock only). */
void al_cgroup_sweep(const char *root, bool rootless);
