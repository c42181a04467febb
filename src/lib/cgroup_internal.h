/* cgroup_internal.h: what cgroup.c shares with the v1 and v2 backends (and the unit test):
 * the backend vtable, the group handle, the resolved limit plan and the shared helpers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

/* Controllers a group needs, as bits. */
enum al_cg_ctrl {
	AL_CG_MEMORY = 1u << 0,
	AL_CG_PIDS = 1u << 1,
	AL_CG_CPU = 1u << 2,
	AL_CG_CPUACCT = 1u << 3, /* v1 only: accounting, joined whenever it is mounted */
	AL_CG_FREEZER = 1u << 4, /* v1 only, on request (al_limits.freezer): pause and resume */
};

/* The limits after validation and docker's defaults, in the units the control files take. */
struct al_cg_plan {
	int64_t memory;	     /* bytes, 0 = no limit */
	int64_t memory_swap; /* memory+swap bytes; -1 = unlimited swap; 0 = no memory limit at all */
	bool
	    swap_defaulted; /* memory_swap is docker's implicit 2 x memory: skipped without swap accounting */
	int64_t pids;	    /* 0 = no limit */
	int64_t cpu_quota_us;	    /* per AL_CG_CPU_PERIOD_US, 0 = no limit */
	int64_t memory_reservation; /* bytes, 0 = none (v1 soft limit, v2 memory.low) */
	int swappiness;		    /* 0-100, -1 = leave (v1 only) */
	bool oom_kill_disable;	    /* v1 only */
	int64_t kernel_tcp;	    /* v1 only, 0 = none */
	unsigned want;		    /* AL_CG_* controllers the limits need */
	unsigned required;	    /* AL_CG_* whose limit the user asked for: missing controller = error.
				     * The rest were defaulted by the launcher and are dropped if unenforceable. */
};

#define AL_CG_CPU_PERIOD_US 100000
#define AL_CG_MAX_DIRS	    5

/* One leaf directory of the group: one per v1 hierarchy joined, exactly one on v2. */
struct al_cg_dir {
	int fd;		/* O_RDONLY|O_DIRECTORY of the leaf, flock()ed while owned (see al_cg_sweep_dir) */
	int parent_fd;	/* O_PATH of the parent (".../airlock"), for unlinkat */
	unsigned ctrls; /* AL_CG_* this hierarchy provides (cpu and cpuacct may share one) */
	char *path;	/* absolute path, for messages */
};

struct al_cgroup {
	const struct al_cgroup_backend *be;
	char *parent; /* relative to the base: "airlock", or airlock-runtime's cgroupsPath without the leaf */
	char *name;
	bool fake; /* the tree is not a cgroup filesystem (unit test only, see al_cgroup__allow_fake_tree) */
	bool walk_kill; /* no cgroup.kill (v1, v2 before 5.14): teardown re-walks cgroup.procs */
	size_t n_dirs;
	struct al_cg_dir dirs[AL_CG_MAX_DIRS];
};

struct al_cgroup_backend {
	const char *name;
	/* Make the leaf directories under base's cg->parent; may drop defaulted limits from *plan
	 * whose controller is missing. n_dirs == 0 after success means "nothing usable". On error the
	 * leaves made so far are in cg->dirs and the caller removes them. */
	int (*create)(struct al_cgroup *cg, const char *base, struct al_cg_plan *plan, struct al_err *err);
	/* Write the plan into the control files of a freshly created group. */
	int (*set_limits)(struct al_cgroup *cg, const struct al_cg_plan *plan, struct al_err *err);
	int (*add_pid)(struct al_cgroup *cg, pid_t pid, struct al_err *err);
	int (*stats)(struct al_cgroup *cg, struct al_cgroup_stats *st);
	/* Signal every process once: returns 0, or -errno when the group could not be signalled. */
	int (*kill)(struct al_cgroup *cg);
	/* Remove leaves: rmdir with EBUSY retries until deadline (ns, monotonic). Fds stay open. */
	void (*destroy)(struct al_cgroup *cg, uint64_t deadline_ns);
	/* Remove leftover, unowned, empty groups under base (root, or the delegated v2 parent). */
	void (*sweep)(const char *base);
	/* Open the existing leaves of group cg->name under root (no lock taken): 0 with cg->n_dirs
	 * leaves (0 when none exists), or -1. */
	int (*open)(struct al_cgroup *cg, const char *root, struct al_err *err);
	/* Freeze (true) or thaw every process of the group and wait until the kernel says it is done. */
	int (*freeze)(struct al_cgroup *cg, bool frozen, struct al_err *err);
	/* Whether the group is frozen. */
	bool (*frozen)(struct al_cgroup *cg);
};

extern const struct al_cgroup_backend al_cg_v1_backend;
extern const struct al_cgroup_backend al_cg_v2_backend;

/* --- test hooks (unit test only) --- */

/* Allow trees that are not a cgroup filesystem: control files are then created on write and
 * destroy unlinks the regular files of a leaf before rmdir. Off by default, so production code
 * refuses a fake tree instead of pretending limits are enforced. */
void al_cgroup__allow_fake_tree(bool on);
/* al_cgroup_create with the caller's v2 cgroup path given (e.g. "/user/leaf") instead of read
 * from /proc/self/cgroup; NULL = read it. */
int al_cgroup__create(const char *root, const char *name, const struct al_limits *lim, bool rootless,
		      const char *self_cgroup, struct al_cgroup **out, struct al_err *err);
void al_cgroup__sweep(const char *root, bool rootless, const char *self_cgroup);
/* Close and free without removing anything: what a SIGKILLed airlock leaves for sweep. */
void al_cgroup__abandon(struct al_cgroup *cg);

/* --- helpers shared by the backends (cgroup.c) --- */

bool al_cg_fake_allowed(void);
/* Whether fd is on cgroupfs (v1 or v2). */
bool al_cg_is_cgroupfs(int fd);
/* Forget a limit the backend cannot enforce (only limits the launcher defaulted are ever dropped). */
void al_cg_plan_drop(struct al_cg_plan *plan, unsigned bit);
/* Write data to dirfd/file; fake trees create the file. Returns 0 or -errno. */
int al_cg_write(const struct al_cgroup *cg, int dirfd, const char *file, const char *data);
/* As al_cg_write, filling err with "LIMIT: cannot set PATH/FILE to DATA: strerror". */
int al_cg_write_limit(const struct al_cgroup *cg, const struct al_cg_dir *d, const char *file,
		      const char *data, const char *limit, struct al_err *err);
/* Read a small control file (NUL-terminated). Returns bytes or -errno. */
ssize_t al_cg_read(int dirfd, const char *file, char *buf, size_t cap);
/* The value of "key N" lines (memory.events, pids.events, cpu.stat, memory.oom_control), 0 if absent. */
uint64_t al_cg_keyed_u64(const char *text, const char *key);
/* The first number of a file, 0 when absent or unreadable. */
uint64_t al_cg_read_u64(int dirfd, const char *file);
/* Whether the whitespace-separated list contains word. */
bool al_cg_has_word(const char *list, const char *word);
/* Open basefd/<name> (O_PATH), making it on demand. Returns fd or -errno. */
int al_cg_open_child(int basefd, const char *name);
/* Open base/<cg->parent> (O_PATH), making every component on demand. Returns fd or -errno. */
int al_cg_open_parent(const struct al_cgroup *cg, int basefd);
/* mkdir parent/name, open it O_RDONLY|O_DIRECTORY and flock it; fills *d (path from parent_path).
 * On error nothing is left. */
int al_cg_make_leaf(struct al_cgroup *cg, int parent_fd, const char *parent_path, unsigned ctrls,
		    struct al_err *err);
/* Open the existing leaf parent_path/cg->name (no lock) into the next slot of cg->dirs. Returns 1 when
 * added, 0 when there is no such leaf (or it is the same directory as an earlier slot: co-mounted v1
 * hierarchies), -1 with *err. */
int al_cg_open_leaf(struct al_cgroup *cg, const char *parent_path, unsigned ctrls, struct al_err *err);
/* Write `value` to dirfd/file, then read `state_file` until it holds `want` (bounded to 2 s). */
int al_cg_write_and_wait(const struct al_cgroup *cg, const struct al_cg_dir *d, const char *file,
			 const char *value, const char *state_file, const char *want, struct al_err *err);
/* Pidfds of killed processes, to wait for their exit. */
#define AL_CG_MAX_PIDFDS 16
struct al_cg_pidfds {
	int n;
	int fd[AL_CG_MAX_PIDFDS];
};
void al_cg_pidfds_close(struct al_cg_pidfds *pf);
/* Read dirfd/cgroup.procs. With keep, pidfds of the first AL_CG_MAX_PIDFDS processes are left in
 * *keep (for the caller to wait on and close); with signal, every process gets SIGKILL (through its
 * pidfd when it has one). Never ourselves, never pid 1, nothing on fake trees (cg->fake) or with
 * cg NULL. Returns the number of pids listed (0 when the file is gone), or -errno. */
int al_cg_walk(const struct al_cgroup *cg, int dirfd, bool signal, struct al_cg_pidfds *keep);
/* al_cg_walk(cg, dirfd, true, NULL). */
int al_cg_kill_walk(const struct al_cgroup *cg, int dirfd);
/* Number of pids in dirfd/cgroup.procs (0 when the file is gone), or -errno. */
int al_cg_count_procs(int dirfd);
/* rmdir every leaf, last made first, retrying EBUSY until deadline; fake trees have their files
 * unlinked first. */
void al_cg_remove_dirs(struct al_cgroup *cg, uint64_t deadline_ns);
/* Called by al_cg_sweep_dir for a leftover leaf before its rmdir; false keeps it. */
typedef bool (*al_cg_sweep_fn)(const char *name, void *ctx);
/* Remove the unowned (no flock holder), old (> 2 s) and empty children of dirfd (an O_RDONLY
 * directory fd, consumed). One readdir; live groups cost an open, a failed flock and a close. */
void al_cg_sweep_dir(int dirfd, al_cg_sweep_fn before_rmdir, void *ctx);
/* "--memory" and friends: the flag a limit bit was requested with, for messages. */
const char *al_cg_limit_name(unsigned ctrl);
