/* cgroup.c: detection of the host's cgroup flavour, validation of the limits, dispatch to the v1 or
 * v2 backend, teardown and sweep, and the control-file helpers both backends share.
 *
 * Ownership and sweep: every leaf directory we create is flock()ed (LOCK_EX) through the fd we keep
 * for the group's whole life. A leaf nobody holds a lock on, older than AL_CG_SWEEP_AGE_NS and empty was
 * left by an airlock that was SIGKILLed; al_cgroup_sweep removes it. The age guard covers the few
 * microseconds between mkdir and flock in a concurrent creator. */
#include "cgroup_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

#include "util.h"

static char *read_procs(int dirfd, char *stackbuf, size_t stackcap, int *errp);

#define AL_CG_TEARDOWN_NS  (2000ull * 1000 * 1000) /* bound on kill + wait + rmdir */
#define AL_CG_SWEEP_AGE_NS (100ull * 1000 * 1000)  /* mkdir to flock takes microseconds */

static bool fake_tree_allowed;

void al_cg_plan_drop(struct al_cg_plan *plan, unsigned bit)
{
	plan->want &= ~bit;
	if (bit == AL_CG_MEMORY)
		plan->memory = plan->memory_swap = 0;
	else if (bit == AL_CG_PIDS)
		plan->pids = 0;
	else if (bit == AL_CG_CPU)
		plan->cpu_quota_us = 0;
}

void al_cgroup__allow_fake_tree(bool on)
{
	fake_tree_allowed = on;
}

bool al_cg_fake_allowed(void)
{
	return fake_tree_allowed;
}

bool al_cg_is_cgroupfs(int fd)
{
	struct statfs sfs;
	if (fstatfs(fd, &sfs) < 0)
		return false;
	return sfs.f_type == CGROUP2_SUPER_MAGIC || sfs.f_type == CGROUP_SUPER_MAGIC;
}

/* ---------- detection ---------- */

static bool is_fs_at(const char *root, const char *sub, long magic)
{
	char path[4096];
	struct statfs sfs;
	snprintf(path, sizeof path, "%s/%s", root, sub);
	return statfs(path, &sfs) == 0 && sfs.f_type == magic;
}

static bool exists_at(const char *root, const char *sub)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, sub);
	return access(path, F_OK) == 0;
}

/* Path based on purpose: one statfs on a v2 host, three on a hybrid one. */
enum al_cgroup_version al_cgroup_detect(const char *root)
{
	static const char *const v1_files[] = {"memory/memory.limit_in_bytes", "pids/pids.max"};
	static const char *const v1_ctrls[] = {"pids", "cpuacct", "cpu"};
	struct statfs sfs;

	if (statfs(root, &sfs) < 0)
		return AL_CGROUP_NONE;
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		return AL_CGROUP_V2;
	/* A fake v2 tree (unit tests) is marked by cgroup.controllers in its root. */
	if (exists_at(root, "cgroup.controllers"))
		return AL_CGROUP_V2;
	for (size_t i = 0; i < AL_ARRAY_SIZE(v1_files); i++)
		if (exists_at(root, v1_files[i]))
			return AL_CGROUP_V1;
	/* A v1 host without the memory controller: the root of a pids hierarchy has no pids.max. */
	for (size_t i = 0; i < AL_ARRAY_SIZE(v1_ctrls); i++)
		if (is_fs_at(root, v1_ctrls[i], CGROUP_SUPER_MAGIC))
			return AL_CGROUP_V1;
	return AL_CGROUP_NONE;
}

/* ---------- limits ---------- */

const char *al_cg_limit_name(unsigned ctrl)
{
	switch (ctrl) {
	case AL_CG_MEMORY:
		return "--memory";
	case AL_CG_PIDS:
		return "--pids-limit";
	case AL_CG_CPU:
		return "--cpus";
	default:
		return "cgroup";
	}
}

static int make_plan(const struct al_limits *lim, struct al_cg_plan *p, struct al_err *err)
{
	memset(p, 0, sizeof *p);
	if (lim->memory < 0)
		return al_err_set(err, EINVAL, "--memory: invalid value %lld", (long long)lim->memory);
	if (lim->memory_swap < -1)
		return al_err_set(err, EINVAL, "--memory-swap: invalid value %lld",
				  (long long)lim->memory_swap);
	if (lim->memory_swap != 0 && lim->memory == 0)
		return al_err_set(err, EINVAL, "--memory-swap: requires --memory");
	if (lim->memory_swap > 0 && lim->memory_swap < lim->memory)
		return al_err_set(err, EINVAL, "--memory-swap: %lld is less than --memory %lld",
				  (long long)lim->memory_swap, (long long)lim->memory);
	if (lim->cpus_milli < 0 || (lim->cpus_milli > 0 && lim->cpus_milli < 10) ||
	    lim->cpus_milli > INT64_MAX / 1000)
		return al_err_set(err, EINVAL, "--cpus: %lld.%03lld is out of range (minimum 0.01)",
				  (long long)(lim->cpus_milli / 1000), (long long)(lim->cpus_milli % 1000));
	if (lim->pids < -1)
		return al_err_set(err, EINVAL, "--pids-limit: invalid value %lld", (long long)lim->pids);

	if (lim->memory > 0) {
		p->want |= AL_CG_MEMORY;
		p->memory = lim->memory;
		/* docker: without --memory-swap, memory+swap defaults to twice the memory limit. */
		p->swap_defaulted = lim->memory_swap == 0;
		if (lim->memory_swap != 0)
			p->memory_swap = lim->memory_swap;
		else
			p->memory_swap = lim->memory > INT64_MAX / 2 ? -1 : 2 * lim->memory;
		if (!lim->memory_defaulted || lim->memory_swap != 0)
			p->required |= AL_CG_MEMORY;
	}
	if (lim->pids > 0) {
		p->want |= AL_CG_PIDS;
		p->pids = lim->pids;
		if (!lim->pids_defaulted)
			p->required |= AL_CG_PIDS;
	}
	if (lim->freezer)
		p->want |= AL_CG_FREEZER; /* never required: pause says so when it is missing */
	p->swappiness = lim->has_swappiness ? lim->memory_swappiness : -1;
	p->memory_reservation = lim->memory_reservation > 0 ? lim->memory_reservation : 0;
	p->oom_kill_disable = lim->oom_kill_disable;
	p->kernel_tcp = lim->kernel_tcp > 0 ? lim->kernel_tcp : 0;
	if (p->memory_reservation || p->swappiness >= 0 || p->oom_kill_disable || p->kernel_tcp)
		p->want |= AL_CG_MEMORY, p->required |= AL_CG_MEMORY;
	if (lim->cpus_milli > 0) {
		p->want |= AL_CG_CPU;
		p->required |= AL_CG_CPU;
		p->cpu_quota_us = lim->cpus_milli * (AL_CG_CPU_PERIOD_US / 1000);
	}
	return 0;
}

/* The first limit the user asked for, for "LIMIT: cannot be enforced: ..." messages. */
static const char *first_required(const struct al_cg_plan *p)
{
	static const unsigned order[] = {AL_CG_MEMORY, AL_CG_PIDS, AL_CG_CPU};
	for (size_t i = 0; i < AL_ARRAY_SIZE(order); i++)
		if (p->required & order[i])
			return al_cg_limit_name(order[i]);
	return NULL;
}

bool al_cgroup_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 128 || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* ---------- group lifetime ---------- */

static void close_dirs(struct al_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		al_closep(&cg->dirs[i].fd);
		al_closep(&cg->dirs[i].parent_fd);
		free(cg->dirs[i].path);
	}
	cg->n_dirs = 0;
}

static void cg_free(struct al_cgroup *cg)
{
	close_dirs(cg);
	free(cg->parent);
	free(cg->name);
	free(cg);
}

void al_cgroup__abandon(struct al_cgroup *cg)
{
	if (cg)
		cg_free(cg);
}

static void rollback(struct al_cgroup *cg)
{
	cg->be->destroy(cg, al_now_ns() + AL_CG_TEARDOWN_NS);
	close_dirs(cg);
}

/* The caller's own v2 cgroup path ("/user.slice/..."), from /proc/self/cgroup's "0::" line. */
static char *self_v2_path(void)
{
	char buf[4096];
	if (al_read_file_at(AT_FDCWD, "/proc/self/cgroup", buf, sizeof buf) < 0)
		return NULL;
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		char *end = strchrnul(line + 3, '\n');
		if (line[3] != '/')
			return NULL;
		return strndup(line + 3, (size_t)(end - line - 3));
	}
	return NULL;
}

/* Try base as the parent of ROOT-or-delegated "airlock". 0 with cg->n_dirs > 0 = usable. */
static int try_base(struct al_cgroup *cg, const char *base, struct al_cg_plan *plan, struct al_err *err)
{
	int r = cg->be->create(cg, base, plan, err);
	if (r < 0)
		rollback(cg);
	return r;
}

/* Rootless: the sandbox group lives in base/airlock/<name> where base is the caller's own v2 cgroup
 * or its parent, whichever is writable by the caller (delegated) and can enable the controllers the
 * limits need. Own cgroup works only when no controller is needed (or it is the root): a cgroup with
 * processes (ours) cannot enable controllers for its children ("no internal processes"). The parent
 * works when the caller runs in a leaf of a delegated subtree, e.g. systemd-run --user -p Delegate=yes
 * with the caller in D/leaf, or a user session whose app.slice is owned by the user. */
static int create_rootless(struct al_cgroup *cg, const char *root, const char *self, struct al_cg_plan *plan,
			   struct al_err *err)
{
	_cleanup_free_ char *own = self ? al_xstrdup(self) : self_v2_path();
	struct al_err why = {0};
	if (!own)
		return al_err_set(err, ENOENT, "no cgroup v2 entry in /proc/self/cgroup");
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *base = al_xasprintf("%s%s", root, strcmp(own, "/") ? own : "");
		struct al_cg_plan trial = *plan;
		if (faccessat(AT_FDCWD, base, W_OK, AT_EACCESS) < 0) {
			al_err_sys(&why, errno, "%s", base);
		} else if (try_base(cg, base, &trial, &why) == 0 && cg->n_dirs > 0) {
			*plan = trial;
			return 0;
		}
		char *slash = strrchr(own, '/');
		if (!slash || slash == own)
			break; /* own is "/" or a top-level group: the root is not delegated */
		*slash = '\0';
	}
	return al_err_set(err, why.errnum, "%s", why.msg);
}

static int unenforceable(const struct al_cg_plan *plan, struct al_err *err, const char *why)
{
	const char *lim = first_required(plan);
	if (!lim)
		return 0; /* nothing was asked for: run without a group */
	return al_err_set(err, ENOTSUP, "%s: cannot be enforced: %s", lim, why);
}

/* "a/b/c": components that are each a valid name. */
static bool valid_parent(const char *parent)
{
	_cleanup_free_ char *copy = al_xstrdup(parent);
	char *save = NULL;
	if (!*copy) /* the hierarchy's root itself */
		return true;
	if (copy[0] == '/' || copy[strlen(copy) - 1] == '/' || strstr(copy, "//"))
		return false;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (!al_cgroup_valid_name(c))
			return false;
	return true;
}

static int create_group(const char *root, const char *parent, const char *name, const struct al_limits *lim,
			bool rootless, const char *self_cgroup, struct al_cgroup **out, struct al_err *err)
{
	struct al_cg_plan plan;
	char why[1200];

	*out = NULL;
	if (!valid_parent(parent))
		return al_err_set(err, EINVAL, "cgroup parent \"%s\": invalid", parent);
	if (!al_cgroup_valid_name(name))
		return al_err_set(err, EINVAL, "cgroup name \"%s\": invalid (letters, digits, _ . - only)",
				  name);
	if (make_plan(lim, &plan, err) < 0)
		return -1;
	rootless = rootless || geteuid() != 0;
	enum al_cgroup_version ver = al_cgroup_detect(root);
	if (ver == AL_CGROUP_NONE) {
		snprintf(why, sizeof why, "no cgroup filesystem at %s", root);
		return unenforceable(&plan, err, why);
	}
	if (rootless && ver == AL_CGROUP_V1) {
		snprintf(why, sizeof why, "no delegated cgroup v2 subtree for uid %u (cgroup v1 host)",
			 geteuid());
		return unenforceable(&plan, err, why);
	}

	struct al_cgroup *cg = al_xcalloc(1, sizeof *cg);
	cg->be = ver == AL_CGROUP_V1 ? &al_cg_v1_backend : &al_cg_v2_backend;
	cg->parent = al_xstrdup(parent);
	cg->name = al_xstrdup(name);
	int r;
	if (rootless) {
		struct al_err e = {0};
		r = create_rootless(cg, root, self_cgroup, &plan, &e);
		if (r < 0) {
			const char *reason = strstr(e.msg, ": cannot be enforced: ");
			reason = reason ? reason + strlen(": cannot be enforced: ") : e.msg;
			cg_free(cg);
			snprintf(why, sizeof why, "no delegated cgroup v2 subtree for uid %u (%s)", geteuid(),
				 reason);
			return unenforceable(&plan, err, why);
		}
	} else if ((r = try_base(cg, root, &plan, err)) < 0) {
		/* Root without write access (root in a user namespace, read-only cgroupfs): only an
		 * error when a limit was asked for. */
		bool no_access =
		    err && (err->errnum == EACCES || err->errnum == EPERM || err->errnum == EROFS);
		cg_free(cg);
		return no_access && !first_required(&plan) ? 0 : -1;
	}
	if (cg->n_dirs == 0) { /* nothing usable and nothing required */
		cg_free(cg);
		return 0;
	}
	if (cg->be->set_limits(cg, &plan, err) < 0) {
		rollback(cg);
		cg_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

int al_cgroup__create(const char *root, const char *name, const struct al_limits *lim, bool rootless,
		      const char *self_cgroup, struct al_cgroup **out, struct al_err *err)
{
	return create_group(root, "airlock", name, lim, rootless, self_cgroup, out, err);
}

int al_cgroup_create(const char *root, const char *name, const struct al_limits *lim, bool rootless,
		     struct al_cgroup **out, struct al_err *err)
{
	return al_cgroup__create(root, name, lim, rootless, NULL, out, err);
}

int al_cgroup_create_in(const char *root, const char *parent, const char *name, const struct al_limits *lim,
			struct al_cgroup **out, struct al_err *err)
{
	return create_group(root, parent, name, lim, false, NULL, out, err);
}

int al_cgroup_add_pid(struct al_cgroup *cg, pid_t pid, struct al_err *err)
{
	return cg->be->add_pid(cg, pid, err);
}

int al_cgroup_v2_fd(const struct al_cgroup *cg)
{
	return cg && cg->be == &al_cg_v2_backend ? cg->dirs[0].fd : -1;
}

int al_cgroup_stats(struct al_cgroup *cg, struct al_cgroup_stats *st)
{
	memset(st, 0, sizeof *st);
	return cg ? cg->be->stats(cg, st) : 0;
}

int al_cgroup_kill(struct al_cgroup *cg)
{
	return cg ? cg->be->kill(cg) : 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int ms_until(uint64_t deadline)
{
	uint64_t now = al_now_ns();
	return now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
}

/* Wait until every pidfd is readable (its process has exited), or the deadline; closes them. */
static void wait_pidfds(struct al_cg_pidfds *pf, uint64_t deadline)
{
	struct pollfd p[AL_CG_MAX_PIDFDS];
	int left = pf->n;
	for (int i = 0; i < pf->n; i++)
		p[i] = (struct pollfd){.fd = pf->fd[i], .events = POLLIN};
	while (left > 0) {
		int ms = ms_until(deadline), r = ms > 0 ? poll(p, (nfds_t)pf->n, ms) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (int i = 0; i < pf->n; i++)
			if (p[i].fd >= 0 && p[i].revents) {
				p[i].fd = -1; /* poll ignores it from now on */
				left--;
			}
	}
	al_cg_pidfds_close(pf);
}

void al_cg_pidfds_close(struct al_cg_pidfds *pf)
{
	for (int i = 0; i < pf->n; i++)
		close(pf->fd[i]);
	pf->n = 0;
}

/* Kill until the group is empty or the deadline passes. The common case (the sandbox already
 * exited: its pid namespace died with its init) costs one read of cgroup.procs.
 * Waiting is on pidfds of the listed processes: cgroup.events would do on v2, but the kernel
 * rate-limits its notifications to one per 10 ms, and a sleep loop overshoots (nanosleep(1us)
 * takes ~100us on a VM). */
static void drain(struct al_cgroup *cg, uint64_t deadline)
{
	int fd = cg->dirs[0].fd;
	bool killed_all = false;
	uint64_t delay = 50000;
	for (;;) {
		struct al_cg_pidfds pf = {.n = 0};
		/* v1 signals while walking; v2 opens the pidfds first, then cgroup.kill kills every
		 * process at once, forks included. */
		int n = al_cg_walk(cg, fd, cg->walk_kill, &pf);
		if (n > 0 && !cg->walk_kill && !killed_all) {
			killed_all = true;
			cg->be->kill(
			    cg); /* falls back to the walk, and sets walk_kill, without cgroup.kill */
		}
		if (n <= 0 || cg->fake || al_now_ns() >= deadline) {
			al_cg_pidfds_close(&pf);
			return;
		}
		if (pf.n > 0) {
			wait_pidfds(&pf, deadline);
		} else {
			sleep_ns(delay);
			delay = delay * 2 > 5000000 ? 5000000 : delay * 2;
		}
	}
}

void al_cgroup_destroy(struct al_cgroup *cg)
{
	if (!cg)
		return;
	uint64_t deadline = al_now_ns() + AL_CG_TEARDOWN_NS;
	if (cg->n_dirs > 0) {
		drain(cg, deadline);
		cg->be->destroy(cg, deadline);
	}
	cg_free(cg);
}

int al_cgroup_open(const char *root, const char *parent, const char *name, struct al_cgroup **out,
		   struct al_err *err)
{
	*out = NULL;
	parent = parent ? parent : "airlock";
	if (!al_cgroup_valid_name(name) || !valid_parent(parent))
		return al_err_set(err, EINVAL, "cgroup %s/%s: invalid", parent, name);
	enum al_cgroup_version ver = al_cgroup_detect(root);
	if (ver == AL_CGROUP_NONE)
		return 0;
	struct al_cgroup *cg = al_xcalloc(1, sizeof *cg);
	cg->be = ver == AL_CGROUP_V1 ? &al_cg_v1_backend : &al_cg_v2_backend;
	cg->parent = al_xstrdup(parent);
	cg->name = al_xstrdup(name);
	cg->walk_kill = ver == AL_CGROUP_V1;
	if (cg->be->open(cg, root, err) < 0 || cg->n_dirs == 0) {
		bool failed = cg->n_dirs > 0;
		cg_free(cg);
		return failed ? -1 : 0;
	}
	cg->fake = !al_cg_is_cgroupfs(cg->dirs[0].fd);
	if (cg->fake && !al_cg_fake_allowed()) {
		int r = al_err_set(err, ENOTSUP, "cgroup %s: not a cgroup filesystem", cg->dirs[0].path);
		cg_free(cg);
		return r;
	}
	*out = cg;
	return 0;
}

void al_cgroup_release(struct al_cgroup *cg)
{
	if (cg)
		cg_free(cg);
}

int al_cgroup_freeze(struct al_cgroup *cg, bool frozen, struct al_err *err)
{
	if (!cg)
		return al_err_set(err, ENOTSUP, "%s: the container has no cgroup",
				  frozen ? "pause" : "resume");
	return cg->be->freeze(cg, frozen, err);
}

bool al_cgroup_frozen(struct al_cgroup *cg)
{
	return cg && cg->be->frozen(cg);
}

int al_cgroup_pids(struct al_cgroup *cg, pid_t **pids, size_t *n, struct al_err *err)
{
	*pids = NULL;
	*n = 0;
	if (!cg)
		return 0;
	char stackbuf[1024];
	int e = 0;
	char *buf = read_procs(cg->dirs[0].fd, stackbuf, sizeof stackbuf, &e);
	if (!buf)
		return e == ENOENT ? 0 : al_err_sys(err, e, "cgroup %s: cgroup.procs", cg->dirs[0].path);
	size_t cap = 0;
	char *p = buf, *end;
	for (long v; (v = strtol(p, &end, 10)) > 0; p = end) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*pids = al_xrealloc(*pids, cap * sizeof **pids);
		}
		(*pids)[(*n)++] = (pid_t)v;
	}
	if (buf != stackbuf)
		free(buf);
	return 0;
}

int al_cg_open_leaf(struct al_cgroup *cg, const char *parent_path, unsigned ctrls, struct al_err *err)
{
	int pfd = open(parent_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return errno == ENOENT ? 0 : al_err_sys(err, errno, "cgroup %s", parent_path);
	int fd = openat(pfd, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		close(pfd);
		return e == ENOENT ? 0 : al_err_sys(err, e, "cgroup %s/%s", parent_path, cg->name);
	}
	for (size_t i = 0; i < cg->n_dirs; i++) {
		struct stat seen;
		if (fstat(cg->dirs[i].fd, &seen) == 0 && seen.st_dev == st.st_dev &&
		    seen.st_ino == st.st_ino) {
			cg->dirs[i].ctrls |= ctrls;
			close(fd);
			close(pfd);
			return 0;
		}
	}
	if (cg->n_dirs >= AL_CG_MAX_DIRS) {
		close(fd);
		close(pfd);
		return al_err_set(err, EINVAL, "cgroup %s: too many hierarchies", cg->name);
	}
	struct al_cg_dir *d = &cg->dirs[cg->n_dirs++];
	*d = (struct al_cg_dir){.fd = fd, .parent_fd = pfd, .ctrls = ctrls};
	d->path = al_xasprintf("%s/%s", parent_path, cg->name);
	return 1;
}

int al_cg_write_and_wait(const struct al_cgroup *cg, const struct al_cg_dir *d, const char *file,
			 const char *value, const char *state_file, const char *want, struct al_err *err)
{
	int r = al_cg_write(cg, d->fd, file, value);
	if (r < 0)
		return al_err_sys(err, -r, "cgroup %s: write %s to %s", d->path, value, file);
	uint64_t deadline = al_now_ns() + AL_CG_TEARDOWN_NS, delay = 100000;
	for (;;) {
		char buf[256];
		if (al_cg_read(d->fd, state_file, buf, sizeof buf) > 0 && strstr(buf, want))
			return 0;
		if (al_now_ns() >= deadline)
			return al_err_set(err, ETIMEDOUT, "cgroup %s: %s did not become \"%s\"", d->path,
					  state_file, want);
		sleep_ns(delay);
		delay = delay * 2 > 20000000 ? 20000000 : delay * 2;
	}
}

void al_cgroup__sweep(const char *root, bool rootless, const char *self_cgroup)
{
	rootless = rootless || geteuid() != 0;
	enum al_cgroup_version ver = al_cgroup_detect(root);
	if (ver == AL_CGROUP_V1 && !rootless) {
		al_cg_v1_backend.sweep(root);
	} else if (ver == AL_CGROUP_V2 && !rootless) {
		al_cg_v2_backend.sweep(root);
	} else if (ver == AL_CGROUP_V2) {
		_cleanup_free_ char *own = self_cgroup ? al_xstrdup(self_cgroup) : self_v2_path();
		for (int i = 0; own && i < 2; i++) {
			_cleanup_free_ char *base = al_xasprintf("%s%s", root, strcmp(own, "/") ? own : "");
			al_cg_v2_backend.sweep(base);
			char *slash = strrchr(own, '/');
			if (!slash || slash == own)
				break;
			*slash = '\0';
		}
	}
}

void al_cgroup_sweep(const char *root, bool rootless)
{
	al_cgroup__sweep(root, rootless, NULL);
}

/* ---------- control files ---------- */

int al_cg_write(const struct al_cgroup *cg, int dirfd, const char *file, const char *data)
{
	if (!cg->fake)
		return al_write_file_at(dirfd, file, data, strlen(data));
	int fd = openat(dirfd, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	int r = al_write_all(fd, data, strlen(data));
	close(fd);
	return r;
}

int al_cg_write_limit(const struct al_cgroup *cg, const struct al_cg_dir *d, const char *file,
		      const char *data, const char *limit, struct al_err *err)
{
	int r = al_cg_write(cg, d->fd, file, data);
	if (r < 0)
		return al_err_sys(err, -r, "%s: cannot set %s/%s to %s", limit, d->path, file, data);
	return 0;
}

ssize_t al_cg_read(int dirfd, const char *file, char *buf, size_t cap)
{
	return al_read_file_at(dirfd, file, buf, cap);
}

uint64_t al_cg_keyed_u64(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return strtoull(line + klen + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

uint64_t al_cg_read_u64(int dirfd, const char *file)
{
	char buf[64];
	if (al_cg_read(dirfd, file, buf, sizeof buf) <= 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

bool al_cg_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n) {
		bool start = p == list || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '+';
		bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '\n';
		if (start && end)
			return true;
	}
	return false;
}

/* ---------- directories ---------- */

int al_cg_open_child(int basefd, const char *name)
{
	int fd = openat(basefd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	if (mkdirat(basefd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(basefd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0 ? fd : -errno;
}

int al_cg_open_parent(const struct al_cgroup *cg, int basefd)
{
	_cleanup_free_ char *copy = al_xstrdup(cg->parent);
	char *save = NULL;
	int cur = -1;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = al_cg_open_child(cur >= 0 ? cur : basefd, c);
		if (cur >= 0)
			close(cur);
		if (next < 0)
			return next;
		cur = next;
	}
	if (cur < 0) /* an empty parent: the base itself */
		cur = openat(basefd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return cur >= 0 ? cur : -errno;
}

int al_cg_make_leaf(struct al_cgroup *cg, int parent_fd, const char *parent_path, unsigned ctrls,
		    struct al_err *err)
{
	if (cg->n_dirs >= AL_CG_MAX_DIRS) {
		close(parent_fd);
		return al_err_set(err, EINVAL, "cgroup %s: too many hierarchies", cg->name);
	}
	bool reused = false;
	if (mkdirat(parent_fd, cg->name, 0755) < 0) {
		int e = errno;
		/* a leftover of the same name that nobody owns and nothing runs in (a killed caller's) is
		 * taken over; a live one is an error */
		int old = e == EEXIST
			      ? openat(parent_fd, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
			      : -1;
		if (old >= 0 && flock(old, LOCK_EX | LOCK_NB) == 0 && al_cg_count_procs(old) == 0) {
			close(old);
			reused = true;
		} else {
			if (old >= 0)
				close(old);
			close(parent_fd);
			return al_err_sys(err, e, "cgroup %s/%s", parent_path, cg->name);
		}
	}
	int fd = openat(parent_fd, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || flock(fd, LOCK_EX | (reused ? LOCK_NB : 0)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		unlinkat(parent_fd, cg->name, AT_REMOVEDIR);
		close(parent_fd);
		return al_err_sys(err, e, "cgroup %s/%s", parent_path, cg->name);
	}
	struct al_cg_dir *d = &cg->dirs[cg->n_dirs++];
	d->fd = fd;
	d->parent_fd = parent_fd;
	d->ctrls = ctrls;
	d->path = al_xasprintf("%s/%s", parent_path, cg->name);
	return 0;
}

/* cgroup.procs in full (it can exceed any fixed buffer). NULL on error with *errp set.
 * A short read is the end: seq_file fills the buffer unless it runs out of records. */
static char *read_procs(int dirfd, char *stackbuf, size_t stackcap, int *errp)
{
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*errp = errno;
		return NULL;
	}
	size_t cap = stackcap, len = 0;
	char *buf = stackbuf;
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*errp = errno;
			if (buf != stackbuf)
				free(buf);
			close(fd);
			return NULL;
		}
		len += (size_t)n;
		if (n == 0 || len < cap - 1)
			break;
		char *bigger = al_xmalloc(cap * 2);
		memcpy(bigger, buf, len);
		if (buf != stackbuf)
			free(buf);
		buf = bigger;
		cap *= 2;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Open a pidfd for pid into *keep while there is room (to wait for its exit), and SIGKILL it when
 * asked, through that pidfd when there is one. */
static void visit_pid(pid_t pid, bool signal, struct al_cg_pidfds *keep)
{
	int pfd = -1;
	if (keep && keep->n < AL_CG_MAX_PIDFDS) {
		pfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pfd < 0 && errno == ESRCH)
			return; /* already gone */
	}
	if (signal && (pfd < 0 || syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0))
		kill(pid, SIGKILL);
	if (pfd >= 0)
		keep->fd[keep->n++] = pfd;
}

int al_cg_walk(const struct al_cgroup *cg, int dirfd, bool signal, struct al_cg_pidfds *keep)
{
	char stackbuf[1024];
	int e = 0, n = 0;
	char *buf = read_procs(dirfd, stackbuf, sizeof stackbuf, &e);
	if (!buf)
		return e == ENOENT ? 0 : -e;
	pid_t self = getpid();
	for (char *p = buf, *end; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		n++;
		/* Never on fake trees (their pids are made up), never ourselves, never init. */
		if (cg && !cg->fake && pid > 1 && pid != self && (signal || keep))
			visit_pid((pid_t)pid, signal, keep);
	}
	if (buf != stackbuf)
		free(buf);
	return n;
}

int al_cg_kill_walk(const struct al_cgroup *cg, int dirfd)
{
	return al_cg_walk(cg, dirfd, true, NULL);
}

int al_cg_count_procs(int dirfd)
{
	return al_cg_walk(NULL, dirfd, false, NULL);
}

/* Fake trees only: a tmpfs directory with regular files cannot be rmdir'ed. */
static void unlink_fake_files(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_type == DT_REG)
			unlinkat(dirfd, e->d_name, 0);
	closedir(d);
}

void al_cg_remove_dirs(struct al_cgroup *cg, uint64_t deadline_ns)
{
	/* Last made, first removed: dirs[0] (v1: cpuacct) outlives the others, so a teardown cut short
	 * leaves nothing that a sweep of dirs[0]'s hierarchy alone would miss. */
	for (size_t i = cg->n_dirs; i-- > 0;) {
		struct al_cg_dir *d = &cg->dirs[i];
		uint64_t delay = 50000;
		if (cg->fake)
			unlink_fake_files(d->fd);
		/* EBUSY: the last task is still exiting (or a memcg is still offlining a child). */
		while (unlinkat(d->parent_fd, cg->name, AT_REMOVEDIR) < 0 && errno == EBUSY &&
		       al_now_ns() < deadline_ns) {
			sleep_ns(delay);
			delay = delay * 2 > 5000000 ? 5000000 : delay * 2;
		}
	}
}

static uint64_t ns_between(const struct timespec *a, const struct timespec *b)
{
	int64_t d = (int64_t)(b->tv_sec - a->tv_sec) * 1000000000 + (b->tv_nsec - a->tv_nsec);
	return d < 0 ? 0 : (uint64_t)d;
}

void al_cg_sweep_dir(int dirfd, al_cg_sweep_fn before_rmdir, void *ctx)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		_cleanup_close_ int fd =
		    openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue; /* owned by a live airlock */
		if (fstat(fd, &st) < 0 || ns_between(&st.st_mtim, &now) < AL_CG_SWEEP_AGE_NS)
			continue; /* just made: its creator is about to lock it */
		if (before_rmdir && !before_rmdir(e->d_name, ctx))
			continue;
		unlinkat(dirfd, e->d_name, AT_REMOVEDIR); /* EBUSY when processes remain: keep it */
	}
	closedir(d);
}
