/* test_cgroup.c: cgroup detection, limits, accounting, teardown and sweep.
 * Fake v1/v2 trees in a temp dir for the logic; the real v1 hierarchy (root on a v1/hybrid host) and
 * the real cgroup2 mount for kill, OOM, fork bomb, removal and timing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_internal.h"
#include "util.h"

#define SKIP 77
#define MiB  (1024ll * 1024)

static int failed_checks;
static char skip_reason[256];

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);         \
			failed_checks++;                                                                     \
		}                                                                                            \
	} while (0)
#define CHECK_STR(got, want)                                                                                 \
	do {                                                                                                 \
		const char *g_ = (got), *w_ = (want);                                                        \
		if (strcmp(g_, w_) != 0) {                                                                   \
			fprintf(stderr, "    %s:%d: %s is \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got,  \
				g_, w_);                                                                     \
			failed_checks++;                                                                     \
		}                                                                                            \
	} while (0)
#define CHECK_ERR(err, substr)                                                                               \
	do {                                                                                                 \
		if (!strstr((err).msg, (substr))) {                                                          \
			fprintf(stderr, "    %s:%d: error \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,        \
				(err).msg, (substr));                                                        \
			failed_checks++;                                                                     \
		}                                                                                            \
	} while (0)

static int count_of(const char *s, const char *sub)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, sub)); p += strlen(sub))
		n++;
	return n;
}

static int skip(const char *why)
{
	snprintf(skip_reason, sizeof skip_reason, "%s", why);
	return SKIP;
}

/* ---------- fake trees ---------- */

static char tmp[256];

static void put(const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	al_mkdir_p_at(AT_FDCWD, path, 0755);
	*slash = '/';
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		al_write_all(fd, content, strlen(content));
		close(fd);
	}
}

/* Contents of tmp/rel (or an absolute path), trailing newline cut; "<absent>" when missing. */
static const char *get(const char *rel)
{
	static char bufs[4][4096];
	static int next;
	char path[512], *buf = bufs[next++ % 4];
	if (rel[0] == '/')
		snprintf(path, sizeof path, "%s", rel);
	else
		snprintf(path, sizeof path, "%s/%s", tmp, rel);
	if (al_read_file_at(AT_FDCWD, path, buf, sizeof bufs[0]) < 0)
		return "<absent>";
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static bool exists(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	return rel[0] == '/' ? access(rel, F_OK) == 0 : access(path, F_OK) == 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void new_tree(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/al-cgtest-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		exit(1);
	}
}

static void drop_tree(void)
{
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fake_v2(const char *controllers)
{
	new_tree();
	put("cgroup.controllers", controllers);
	put("cgroup.subtree_control", "");
}

static void backdate(const char *path)
{
	struct timespec ts[2] = {{.tv_sec = time(NULL) - 3600}, {.tv_sec = time(NULL) - 3600}};
	utimensat(AT_FDCWD, path, ts, 0);
}

/* ---------- (c) detection ---------- */

static int test_detect(void)
{
	new_tree();
	CHECK(al_cgroup_detect(tmp) == AL_CGROUP_NONE);
	put("memory/memory.limit_in_bytes", "9223372036854771712\n");
	CHECK(al_cgroup_detect(tmp) == AL_CGROUP_V1);
	drop_tree();

	new_tree();
	put("pids/pids.max", "max\n");
	CHECK(al_cgroup_detect(tmp) == AL_CGROUP_V1);
	put("memory/other", "");
	CHECK(al_cgroup_detect(tmp) == AL_CGROUP_V1);
	drop_tree();

	fake_v2("cpu memory pids\n");
	CHECK(al_cgroup_detect(tmp) == AL_CGROUP_V2);
	drop_tree();

	CHECK(al_cgroup_detect("/nonexistent/cgroup") == AL_CGROUP_NONE);
	return 0;
}

/* ---------- (a) v2 on a fake tree ---------- */

static int test_v2_fake_limits(void)
{
	struct al_limits lim = {.memory = 64 * MiB, .memory_swap = 96 * MiB, .pids = 16, .cpus_milli = 500};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	struct al_cgroup_stats st;

	fake_v2("cpu io memory pids\n");
	CHECK(al_cgroup_create(tmp, "box1", &lim, false, &cg, &err) == 0);
	if (!cg) {
		fprintf(stderr, "    create: %s\n", err.msg);
		drop_tree();
		return 0;
	}
	CHECK_STR(get("cgroup.subtree_control"), "+memory +pids +cpu");
	CHECK_STR(get("airlock/cgroup.subtree_control"), "+memory +pids +cpu");
	CHECK_STR(get("airlock/box1/memory.max"), "67108864");
	CHECK_STR(get("airlock/box1/memory.swap.max"), "33554432");
	CHECK_STR(get("airlock/box1/memory.oom.group"), "1");
	CHECK_STR(get("airlock/box1/pids.max"), "16");
	CHECK_STR(get("airlock/box1/cpu.max"), "50000 100000");
	CHECK(al_cgroup_v2_fd(cg) >= 0);

	CHECK(al_cgroup_add_pid(cg, 4242, &err) == 0);
	CHECK_STR(get("airlock/box1/cgroup.procs"), "4242");

	CHECK(al_cgroup_stats(cg, &st) == 0);
	CHECK(!st.oom_killed && !st.pids_max_hit && st.cpu_usage_ns == 0);
	put("airlock/box1/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 1\n");
	put("airlock/box1/pids.events", "max 3\n");
	put("airlock/box1/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
	put("airlock/box1/memory.peak", "33554432\n");
	CHECK(al_cgroup_stats(cg, &st) == 0);
	CHECK(st.oom_killed);
	CHECK(st.pids_max_hit);
	CHECK(st.cpu_usage_ns == 1500000);
	CHECK(st.memory_peak == 32 * MiB);

	CHECK(al_cgroup_kill(cg) == 0);
	CHECK_STR(get("airlock/box1/cgroup.kill"), "1");
	put("airlock/box1/cgroup.procs", ""); /* what the kernel does once the kill is done */
	al_cgroup_destroy(cg);
	CHECK(!exists("airlock/box1"));
	CHECK(exists("airlock")); /* the shared parent stays, as docker's /docker */
	drop_tree();
	return 0;
}

/* airlock-runtime's groups: a nested parent (cgroupsPath), opened again by a later verb, paused. */
static int test_v2_fake_nested(void)
{
	struct al_limits lim = {.pids = 8, .freezer = true};
	struct al_cgroup *cg = NULL, *again = NULL;
	struct al_err err = {0};
	fake_v2("cpu memory pids\n");
	CHECK(al_cgroup_create_in(tmp, "kubepods/burstable/pod1", "c1", &lim, &cg, &err) == 0);
	if (!cg) {
		fprintf(stderr, "    create: %s\n", err.msg);
		drop_tree();
		return 0;
	}
	CHECK_STR(get("cgroup.subtree_control"), "+pids");
	CHECK_STR(get("kubepods/cgroup.subtree_control"), "+pids");
	CHECK_STR(get("kubepods/burstable/pod1/cgroup.subtree_control"), "+pids");
	CHECK_STR(get("kubepods/burstable/pod1/c1/pids.max"), "8");
	CHECK(!exists("airlock"));
	al_cgroup_release(cg); /* the group stays for the container's later verbs */
	CHECK(exists("kubepods/burstable/pod1/c1"));

	CHECK(al_cgroup_open(tmp, "kubepods/burstable/pod1", "nope", &again, &err) == 0 && !again);
	CHECK(al_cgroup_open(tmp, "kubepods/burstable/pod1", "c1", &again, &err) == 0 && again);
	put("kubepods/burstable/pod1/c1/cgroup.procs", "12\n345\n");
	pid_t *pids = NULL;
	size_t n = 0;
	CHECK(al_cgroup_pids(again, &pids, &n, &err) == 0);
	CHECK(n == 2 && pids && pids[0] == 12 && pids[1] == 345);
	free(pids);
	put("kubepods/burstable/pod1/c1/cgroup.procs", "");

	put("kubepods/burstable/pod1/c1/cgroup.events", "populated 1\nfrozen 0\n");
	CHECK(!al_cgroup_frozen(again));
	put("kubepods/burstable/pod1/c1/cgroup.events", "populated 1\nfrozen 1\n"); /* the kernel's answer */
	CHECK(al_cgroup_freeze(again, true, &err) == 0);
	CHECK_STR(get("kubepods/burstable/pod1/c1/cgroup.freeze"), "1");
	CHECK(al_cgroup_frozen(again));

	al_cgroup_destroy(again);
	CHECK(!exists("kubepods/burstable/pod1/c1"));
	CHECK(exists("kubepods/burstable/pod1")); /* parents stay, as docker's /docker */

	CHECK(al_cgroup_create_in(tmp, "../up", "x", &lim, &cg, &err) == -1);
	CHECK(al_cgroup_create_in(tmp, "a//b", "x", &lim, &cg, &err) == -1);
	CHECK(al_cgroup_create_in(tmp, "/abs", "x", &lim, &cg, &err) == -1);
	CHECK(al_cgroup_open(tmp, "a", "../x", &cg, &err) == -1);
	drop_tree();
	return 0;
}

static void swap_case(int64_t memory, int64_t swap, const char *want_swap_max)
{
	struct al_limits lim = {.memory = memory, .memory_swap = swap};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	fake_v2("memory pids\n");
	CHECK(al_cgroup_create(tmp, "s", &lim, false, &cg, &err) == 0);
	CHECK_STR(get("airlock/s/memory.swap.max"), want_swap_max);
	CHECK_STR(get("cgroup.subtree_control"), "+memory");
	al_cgroup_destroy(cg);
	drop_tree();
}

static int test_v2_fake_swap(void)
{
	swap_case(64 * MiB, 0, "67108864"); /* docker: memory+swap = 2 x memory */
	swap_case(64 * MiB, -1, "max");
	swap_case(64 * MiB, 64 * MiB, "0");
	return 0;
}

static int test_v2_fake_subtree_already_on(void)
{
	struct al_limits lim = {.memory = 64 * MiB, .pids = 16};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	fake_v2("cpu memory pids\n");
	put("cgroup.subtree_control", "cpu memory pids\n");
	put("airlock/cgroup.subtree_control", "memory pids\n");
	CHECK(al_cgroup_create(tmp, "b", &lim, false, &cg, &err) == 0);
	CHECK_STR(get("cgroup.subtree_control"), "cpu memory pids"); /* not rewritten */
	CHECK_STR(get("airlock/cgroup.subtree_control"), "memory pids");
	CHECK_STR(get("airlock/b/pids.max"), "16");
	al_cgroup_destroy(cg);
	drop_tree();
	return 0;
}

static int test_v2_fake_unavailable(void)
{
	struct al_limits lim = {.memory = 64 * MiB, .pids = 16};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	fake_v2("cpu memory\n");
	CHECK(al_cgroup_create(tmp, "u", &lim, false, &cg, &err) == -1);
	CHECK(cg == NULL);
	CHECK_ERR(err, "--pids-limit: cannot be enforced: pids controller not available in ");
	CHECK(!exists("airlock/u"));
	CHECK_STR(get("cgroup.subtree_control"), "");

	/* A default the launcher applied is dropped, not an error. */
	lim.pids_defaulted = true;
	CHECK(al_cgroup_create(tmp, "u", &lim, false, &cg, &err) == 0);
	CHECK(cg != NULL);
	CHECK_STR(get("airlock/u/memory.max"), "67108864");
	CHECK(!exists("airlock/u/pids.max"));
	CHECK_STR(get("cgroup.subtree_control"), "+memory");
	al_cgroup_destroy(cg);
	CHECK(!exists("airlock/u"));
	drop_tree();
	return 0;
}

static int test_v2_fake_no_limits(void)
{
	struct al_limits lim = {0};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	fake_v2("cpu memory pids\n");
	CHECK(al_cgroup_create(tmp, "n", &lim, false, &cg, &err) == 0);
	CHECK(cg != NULL); /* a group for kill-all and accounting even without limits */
	CHECK(exists("airlock/n"));
	CHECK_STR(get("cgroup.subtree_control"), "");
	CHECK(!exists("airlock/n/memory.max"));
	al_cgroup_destroy(cg);
	CHECK(!exists("airlock/n"));
	drop_tree();
	return 0;
}

static int test_bad_input(void)
{
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	fake_v2("cpu memory pids\n");
	struct al_limits ok = {.memory = 64 * MiB};
	CHECK(al_cgroup_create(tmp, "../x", &ok, false, &cg, &err) == -1);
	CHECK_ERR(err, "cgroup name \"../x\": invalid");
	CHECK(al_cgroup_create(tmp, "", &ok, false, &cg, &err) == -1);

	struct al_limits l1 = {.memory = 64 * MiB, .memory_swap = 32 * MiB};
	CHECK(al_cgroup_create(tmp, "x", &l1, false, &cg, &err) == -1);
	CHECK_ERR(err, "--memory-swap: 33554432 is less than --memory 67108864");
	struct al_limits l2 = {.memory_swap = 32 * MiB};
	CHECK(al_cgroup_create(tmp, "x", &l2, false, &cg, &err) == -1);
	CHECK_ERR(err, "--memory-swap: requires --memory");
	struct al_limits l3 = {.cpus_milli = 5};
	CHECK(al_cgroup_create(tmp, "x", &l3, false, &cg, &err) == -1);
	CHECK_ERR(err, "--cpus: 0.005 is out of range");
	CHECK(!exists("airlock/x"));

	/* An existing group with processes is an error and is left alone. */
	put("airlock/dup/keep", "mine");
	put("airlock/dup/cgroup.procs", "4242\n");
	CHECK(al_cgroup_create(tmp, "dup", &ok, false, &cg, &err) == -1);
	CHECK_ERR(err, "airlock/dup: File exists");
	CHECK_STR(get("airlock/dup/keep"), "mine");
	CHECK(cg == NULL);
	/* An empty one that nobody holds (a killed caller's leftover) is taken over. */
	put("airlock/dup/cgroup.procs", "");
	CHECK(al_cgroup_create(tmp, "dup", &ok, false, &cg, &err) == 0 && cg);
	al_cgroup_destroy(cg);
	CHECK(!exists("airlock/dup"));
	drop_tree();
	return 0;
}

/* Without the test hook a tree that is not cgroupfs is refused, not "enforced" into a tmpfs. */
static int test_fake_tree_refused(void)
{
	struct al_limits lim = {.memory = 64 * MiB};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	fake_v2("cpu memory pids\n");
	al_cgroup__allow_fake_tree(false);
	CHECK(al_cgroup_create(tmp, "r", &lim, false, &cg, &err) == -1);
	al_cgroup__allow_fake_tree(true);
	CHECK_ERR(err, "not a cgroup filesystem");
	CHECK(!exists("airlock"));
	CHECK_STR(get("cgroup.subtree_control"), "");
	drop_tree();
	return 0;
}

/* v1 logic without a v1 host: layout per hierarchy, values, docker's memory+swap default, and a
 * co-mounted cpu,cpuacct hierarchy sharing one leaf. */
static int test_v1_fake(void)
{
	struct al_limits lim = {.memory = 64 * MiB, .pids = 16, .cpus_milli = 1500};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	struct al_cgroup_stats st;
	char path[512];
	if (geteuid() != 0)
		return skip("v1 on a fake tree: not root (rootless callers use v2 only)");
	new_tree();
	put("memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("pids/cgroup.procs", "");
	put("cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
	CHECK(symlink("cpu,cpuacct", (snprintf(path, sizeof path, "%s/cpu", tmp), path)) == 0);
	CHECK(symlink("cpu,cpuacct", (snprintf(path, sizeof path, "%s/cpuacct", tmp), path)) == 0);
	CHECK(al_cgroup_detect(tmp) == AL_CGROUP_V1);
	CHECK(al_cgroup_create(tmp, "v", &lim, false, &cg, &err) == 0);
	if (!cg) {
		fprintf(stderr, "    create: %s\n", err.msg);
		drop_tree();
		return 0;
	}
	CHECK(al_cgroup_v2_fd(cg) == -1);
	CHECK_STR(get("memory/airlock/v/memory.limit_in_bytes"), "67108864");
	CHECK_STR(get("memory/airlock/v/memory.memsw.limit_in_bytes"), "134217728");
	CHECK_STR(get("pids/airlock/v/pids.max"), "16");
	CHECK_STR(get("cpu,cpuacct/airlock/v/cpu.cfs_quota_us"), "150000");
	CHECK(!exists("cpu,cpuacct/airlock/v/cpu.cfs_period_us")); /* a new group has the default */
	CHECK(al_cgroup_add_pid(cg, 4242, &err) == 0);
	CHECK_STR(get("memory/airlock/v/cgroup.procs"), "4242");
	CHECK_STR(get("pids/airlock/v/cgroup.procs"), "4242");
	CHECK_STR(get("cpu,cpuacct/airlock/v/cgroup.procs"), "4242");

	put("memory/airlock/v/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	put("memory/airlock/v/memory.max_usage_in_bytes", "1048576\n");
	put("pids/airlock/v/pids.events", "max 0\n");
	put("cpu,cpuacct/airlock/v/cpuacct.usage", "123456789\n");
	CHECK(al_cgroup_stats(cg, &st) == 0);
	CHECK(st.oom_killed && !st.pids_max_hit);
	CHECK(st.memory_peak == MiB && st.cpu_usage_ns == 123456789);

	CHECK(al_cgroup_kill(cg) == 0); /* a fake tree's pids are never signalled */
	al_cgroup_destroy(cg);
	CHECK(!exists("memory/airlock/v") && !exists("pids/airlock/v") && !exists("cpu,cpuacct/airlock/v"));

	/* An OCI config's softer memory settings. */
	struct al_limits soft = {.memory_reservation = 32 * MiB,
				 .has_swappiness = true,
				 .memory_swappiness = 0,
				 .oom_kill_disable = true};
	CHECK(al_cgroup_create(tmp, "m", &soft, false, &cg, &err) == 0 && cg);
	CHECK_STR(get("memory/airlock/m/memory.soft_limit_in_bytes"), "33554432");
	CHECK_STR(get("memory/airlock/m/memory.swappiness"), "0");
	CHECK_STR(get("memory/airlock/m/memory.oom_control"), "1");
	CHECK(!exists("memory/airlock/m/memory.limit_in_bytes")); /* no hard limit was asked */
	al_cgroup_destroy(cg);

	/* The runtime's pause: the freezer hierarchy is joined on request, frozen through freezer.state. */
	struct al_limits freezable = {.freezer = true};
	put("freezer/cgroup.procs", "");
	CHECK(al_cgroup_create(tmp, "f", &freezable, false, &cg, &err) == 0 && cg);
	CHECK(exists("freezer/airlock/f"));
	CHECK(al_cgroup_freeze(cg, true, &err) == 0);
	CHECK_STR(get("freezer/airlock/f/freezer.state"), "FROZEN");
	CHECK(al_cgroup_frozen(cg));
	CHECK(al_cgroup_freeze(cg, false, &err) == 0);
	CHECK(!al_cgroup_frozen(cg));
	al_cgroup_destroy(cg);
	CHECK(!exists("freezer/airlock/f"));
	nftw((snprintf(path, sizeof path, "%s/freezer", tmp), path), rm_one, 16, FTW_DEPTH | FTW_PHYS);

	/* A hierarchy that is missing: error when asked for, dropped when defaulted. */
	nftw((snprintf(path, sizeof path, "%s/pids", tmp), path), rm_one, 16, FTW_DEPTH | FTW_PHYS);
	CHECK(al_cgroup_create(tmp, "w", &lim, false, &cg, &err) == -1);
	CHECK_ERR(err, "--pids-limit: cannot be enforced: no pids cgroup v1 hierarchy at ");
	CHECK(!exists("memory/airlock/w") && !exists("cpu,cpuacct/airlock/w"));
	lim.pids_defaulted = true;
	CHECK(al_cgroup_create(tmp, "w", &lim, false, &cg, &err) == 0);
	CHECK(cg && exists("memory/airlock/w") && !exists("pids"));
	al_cgroup_destroy(cg);
	drop_tree();
	return 0;
}

/* ---------- (d) rootless ---------- */

static int test_rootless_v1(void)
{
	struct al_cgroup *cg = (struct al_cgroup *)1;
	struct al_err err = {0};
	new_tree();
	put("memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("pids/pids.max", "max\n");
	struct al_limits lim = {.memory = 64 * MiB, .pids = 16};
	CHECK(al_cgroup_create(tmp, "r", &lim, true, &cg, &err) == -1);
	CHECK(cg == NULL);
	char want[128];
	snprintf(want, sizeof want,
		 "--memory: cannot be enforced: no delegated cgroup v2 subtree for uid %u (cgroup v1 host)",
		 geteuid());
	CHECK_STR(err.msg, want);

	struct al_limits pids_only = {.pids = 16};
	CHECK(al_cgroup_create(tmp, "r", &pids_only, true, &cg, &err) == -1);
	CHECK_ERR(err, "--pids-limit: cannot be enforced");

	struct al_limits none = {0};
	cg = (struct al_cgroup *)1;
	CHECK(al_cgroup_create(tmp, "r", &none, true, &cg, &err) == 0);
	CHECK(cg == NULL);
	struct al_limits defaulted = {
	    .memory = 64 * MiB, .memory_defaulted = true, .pids = 1024, .pids_defaulted = true};
	CHECK(al_cgroup_create(tmp, "r", &defaulted, true, &cg, &err) == 0);
	CHECK(cg == NULL);
	CHECK(!exists("memory/airlock"));
	drop_tree();

	new_tree();
	CHECK(al_cgroup_create(tmp, "r", &lim, false, &cg, &err) == -1);
	CHECK_ERR(err, "--memory: cannot be enforced: no cgroup filesystem at ");
	CHECK(al_cgroup_create(tmp, "r", &none, false, &cg, &err) == 0);
	CHECK(cg == NULL);
	drop_tree();
	return 0;
}

/* Own cgroup /user/leaf holds our processes, so the group goes in the delegated parent /user. */
static int test_rootless_v2_fake(void)
{
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	fake_v2("cpu memory pids\n");
	put("user/cgroup.controllers", "cpu memory pids\n");
	put("user/cgroup.subtree_control", "");
	put("user/leaf/cgroup.procs", "1234\n");
	struct al_limits lim = {.memory = 64 * MiB};
	CHECK(al_cgroup__create(tmp, "d", &lim, true, "/user/leaf", &cg, &err) == 0);
	CHECK(cg != NULL);
	CHECK_STR(get("user/airlock/d/memory.max"), "67108864");
	CHECK_STR(get("user/cgroup.subtree_control"), "+memory");
	CHECK(!exists("user/leaf/airlock"));
	CHECK(!exists("airlock"));
	al_cgroup_destroy(cg);
	CHECK(!exists("user/airlock/d"));

	/* No controller needed: own cgroup is fine. */
	struct al_limits none = {0};
	CHECK(al_cgroup__create(tmp, "d", &none, true, "/user/leaf", &cg, &err) == 0);
	CHECK(cg != NULL && exists("user/leaf/airlock/d"));
	al_cgroup_destroy(cg);

	/* A controller offered nowhere we may write. */
	put("user/cgroup.controllers", "cpu memory\n");
	struct al_limits pids = {.pids = 8};
	CHECK(al_cgroup__create(tmp, "d", &pids, true, "/user/leaf", &cg, &err) == -1);
	CHECK_ERR(err, "--pids-limit: cannot be enforced: no delegated cgroup v2 subtree for uid");
	CHECK_ERR(err, "(pids controller not available in ");
	CHECK(count_of(err.msg, "cannot be enforced") == 1);
	drop_tree();
	return 0;
}

static int test_sweep_fake(void)
{
	struct al_cgroup *live = NULL;
	struct al_err err = {0};
	struct al_limits none = {0};
	char path[512];
	fake_v2("cpu memory pids\n");
	mkdir((snprintf(path, sizeof path, "%s/airlock", tmp), path), 0755);
	mkdir((snprintf(path, sizeof path, "%s/airlock/old", tmp), path), 0755);
	backdate(path);
	mkdir((snprintf(path, sizeof path, "%s/airlock/young", tmp), path), 0755);
	CHECK(al_cgroup_create(tmp, "live", &none, false, &live, &err) == 0);
	backdate((snprintf(path, sizeof path, "%s/airlock/live", tmp), path));
	al_cgroup_sweep(tmp, false);
	CHECK(!exists("airlock/old"));
	CHECK(exists("airlock/young"));
	CHECK(exists("airlock/live")); /* locked by its owner */
	al_cgroup_destroy(live);
	drop_tree();
	return 0;
}

/* ---------- (b) the real v1 hierarchy ---------- */

#define REAL_ROOT "/sys/fs/cgroup"

static int real_v1_ok(void)
{
	if (geteuid() != 0)
		return skip("real cgroup v1: not root");
	if (al_cgroup_detect(REAL_ROOT) != AL_CGROUP_V1)
		return skip("real cgroup v1: " REAL_ROOT " is not a v1/hybrid hierarchy");
	return 0;
}

/* A child that waits until released (closing *release), then runs fn. */
static pid_t spawn(void (*fn)(void), int *release)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		fn();
		_exit(0);
	}
	close(p[0]);
	*release = p[1];
	return pid;
}

static void idle(void)
{
	for (;;)
		pause();
}

static void fork_bomb(void)
{
	int failed = 0;
	for (int i = 0; i < 64; i++) {
		pid_t p = fork();
		if (p == 0)
			idle();
		if (p < 0)
			failed++;
	}
	_exit(failed ? 0 : 1);
}

static void quit(void)
{
	_exit(0);
}

static void memory_hog(void)
{
	size_t n = 200 * MiB;
	char *p = malloc(n);
	if (p)
		for (size_t i = 0; i < n; i += 4096)
			p[i] = 1;
	_exit(2); /* survived: the limit did not hold */
}

static bool procs_has(const char *path, pid_t pid)
{
	char want[16];
	snprintf(want, sizeof want, "%d", (int)pid);
	const char *s = get(path);
	for (const char *p = s; (p = strstr(p, want)); p++)
		if ((p == s || p[-1] == '\n') && (p[strlen(want)] == '\n' || p[strlen(want)] == '\0'))
			return true;
	return false;
}

static void reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int test_v1_real_limits(void)
{
	int r = real_v1_ok();
	if (r)
		return r;
	char name[64], p[256];
	snprintf(name, sizeof name, "altest-%d-lim", (int)getpid());
	struct al_limits lim = {.memory = 64 * MiB, .pids = 16, .cpus_milli = 500};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	CHECK(al_cgroup_create(REAL_ROOT, name, &lim, false, &cg, &err) == 0);
	if (!cg) {
		fprintf(stderr, "    create: %s\n", err.msg);
		return 0;
	}
	CHECK(al_cgroup_v2_fd(cg) == -1);
#define RP(ctrl, file) (snprintf(p, sizeof p, REAL_ROOT "/%s/airlock/%s/%s", ctrl, name, file), p)
	CHECK_STR(get(RP("memory", "memory.limit_in_bytes")), "67108864");
	if (access(RP("memory", "memory.memsw.limit_in_bytes"), F_OK) == 0)
		CHECK_STR(get(RP("memory", "memory.memsw.limit_in_bytes")), "134217728");
	CHECK_STR(get(RP("pids", "pids.max")), "16");
	CHECK_STR(get(RP("cpu", "cpu.cfs_quota_us")), "50000");
	CHECK_STR(get(RP("cpu", "cpu.cfs_period_us")), "100000");

	int rel;
	pid_t child = spawn(idle, &rel);
	CHECK(al_cgroup_add_pid(cg, child, &err) == 0);
	static const char *const ctrls[] = {"memory", "pids", "cpu", "cpuacct"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(ctrls); i++)
		CHECK(procs_has(RP(ctrls[i], "cgroup.procs"), child));
	close(rel);

	uint64_t t0 = al_now_ns();
	al_cgroup_destroy(cg);
	uint64_t t1 = al_now_ns();
	int status = 0;
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (size_t i = 0; i < AL_ARRAY_SIZE(ctrls); i++)
		CHECK(access((snprintf(p, sizeof p, REAL_ROOT "/%s/airlock/%s", ctrls[i], name), p), F_OK) <
		      0);
	printf("    destroy with a live process: %.1f us\n", (double)(t1 - t0) / 1000);
	return 0;
}

static int test_v1_real_fork_bomb(void)
{
	int r = real_v1_ok();
	if (r)
		return r;
	char name[64];
	snprintf(name, sizeof name, "altest-%d-bomb", (int)getpid());
	struct al_limits lim = {.pids = 8};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	struct al_cgroup_stats st;
	CHECK(al_cgroup_create(REAL_ROOT, name, &lim, false, &cg, &err) == 0);
	if (!cg)
		return fprintf(stderr, "    create: %s\n", err.msg), 0;
	int rel, status = 0;
	pid_t child = spawn(fork_bomb, &rel);
	CHECK(al_cgroup_add_pid(cg, child, &err) == 0);
	close(rel);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0); /* some forks failed */
	CHECK(al_cgroup_stats(cg, &st) == 0);
	CHECK(st.pids_max_hit);
	CHECK(!st.oom_killed);
	al_cgroup_destroy(cg); /* the bomb's idle children go with it */
	reap_all();
	char p[256];
	snprintf(p, sizeof p, REAL_ROOT "/pids/airlock/%s", name);
	CHECK(access(p, F_OK) < 0);
	return 0;
}

static int test_v1_real_oom(void)
{
	int r = real_v1_ok();
	if (r)
		return r;
	char name[64];
	snprintf(name, sizeof name, "altest-%d-oom", (int)getpid());
	struct al_limits lim = {.memory = 32 * MiB};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	struct al_cgroup_stats st;
	CHECK(al_cgroup_create(REAL_ROOT, name, &lim, false, &cg, &err) == 0);
	if (!cg)
		return fprintf(stderr, "    create: %s\n", err.msg), 0;
	int rel, status = 0;
	pid_t child = spawn(memory_hog, &rel);
	CHECK(al_cgroup_add_pid(cg, child, &err) == 0);
	close(rel);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(al_cgroup_stats(cg, &st) == 0);
	CHECK(st.oom_killed);
	CHECK(st.memory_peak > 16 * MiB && st.memory_peak <= 32 * MiB);
	CHECK(st.cpu_usage_ns > 0);
	al_cgroup_destroy(cg);
	char p[256];
	snprintf(p, sizeof p, REAL_ROOT "/memory/airlock/%s", name);
	CHECK(access(p, F_OK) < 0);
	return 0;
}

/* A SIGKILLed airlock leaves its groups: sweep removes them, and only them. */
static int test_v1_real_sweep(void)
{
	int r = real_v1_ok();
	if (r)
		return r;
	char dead[64], live[64], p[256];
	snprintf(dead, sizeof dead, "altest-%d-dead", (int)getpid());
	snprintf(live, sizeof live, "altest-%d-live", (int)getpid());
	struct al_limits lim = {.memory = 64 * MiB, .pids = 16};
	struct al_cgroup *a = NULL, *b = NULL;
	struct al_err err = {0};
	CHECK(al_cgroup_create(REAL_ROOT, dead, &lim, false, &a, &err) == 0);
	CHECK(al_cgroup_create(REAL_ROOT, live, &lim, false, &b, &err) == 0);
	al_cgroup__abandon(a);
	static const char *const ctrls[] = {"memory", "pids", "cpuacct"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(ctrls); i++) {
		backdate((snprintf(p, sizeof p, REAL_ROOT "/%s/airlock/%s", ctrls[i], dead), p));
		backdate((snprintf(p, sizeof p, REAL_ROOT "/%s/airlock/%s", ctrls[i], live), p));
	}
	uint64_t t0 = al_now_ns();
	al_cgroup_sweep(REAL_ROOT, false);
	uint64_t t1 = al_now_ns();
	for (size_t i = 0; i < AL_ARRAY_SIZE(ctrls); i++) {
		CHECK(access((snprintf(p, sizeof p, REAL_ROOT "/%s/airlock/%s", ctrls[i], dead), p), F_OK) <
		      0);
		CHECK(access((snprintf(p, sizeof p, REAL_ROOT "/%s/airlock/%s", ctrls[i], live), p), F_OK) ==
		      0);
	}
	al_cgroup_destroy(b);
	printf("    sweep (2 groups x 3 hierarchies): %.1f us\n", (double)(t1 - t0) / 1000);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *ns, int n)
{
	qsort(ns, (size_t)n, sizeof *ns, cmp_u64);
	printf("    %-34s median %7.1f us  p90 %7.1f us  min %7.1f us\n", what, (double)ns[n / 2] / 1000,
	       (double)ns[n * 9 / 10] / 1000, (double)ns[0] / 1000);
}

/* Time the whole cgroup part of a sandbox's life: memory+pids limits, one process. */
static int test_v1_real_timing(void)
{
	int r = real_v1_ok();
	if (r)
		return r;
	enum { N = 100 };
	static uint64_t create[N], add[N], destroy_live[N / 2], destroy_exited[N / 2], total[N];
	int n_live = 0, n_exited = 0;
	struct al_limits lim = {.memory = 64 * MiB, .pids = 64};
	struct al_err err = {0};
	for (int i = 0; i < N; i++) {
		char name[64];
		snprintf(name, sizeof name, "altest-%d-t%d", (int)getpid(), i);
		bool exited = i % 2;
		int rel, status;
		pid_t child = spawn(exited ? quit : idle, &rel);
		struct al_cgroup *cg = NULL;
		uint64_t t0 = al_now_ns();
		if (al_cgroup_create(REAL_ROOT, name, &lim, false, &cg, &err) < 0) {
			CHECK(!"create");
			fprintf(stderr, "    %s\n", err.msg);
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			return 0;
		}
		uint64_t t1 = al_now_ns();
		CHECK(al_cgroup_add_pid(cg, child, &err) == 0);
		uint64_t t2 = al_now_ns();
		close(rel);
		if (exited)
			waitpid(child, &status, 0);
		uint64_t t3 = al_now_ns();
		al_cgroup_destroy(cg);
		uint64_t t4 = al_now_ns();
		if (!exited)
			waitpid(child, &status, 0);
		create[i] = t1 - t0;
		add[i] = t2 - t1;
		if (exited)
			destroy_exited[n_exited++] = t4 - t3;
		else
			destroy_live[n_live++] = t4 - t3;
		total[i] = (t2 - t0) + (t4 - t3);
	}
	report("create (memory+pids, 3 hierarchies)", create, N);
	report("add_pid", add, N);
	report("destroy, sandbox already exited", destroy_exited, n_exited);
	report("destroy, SIGKILL a live process", destroy_live, n_live);
	report("create+add_pid+destroy", total, N);
	for (int i = 0; i < N; i++) {
		uint64_t t0 = al_now_ns();
		al_cgroup_sweep(REAL_ROOT, false);
		create[i] = al_now_ns() - t0;
	}
	report("sweep, nothing left over", create, N);
	return 0;
}

/* ---------- the real cgroup2 mount: a tracking group needs no controller ---------- */

static int test_v2_real_tracking(void)
{
	static const char *const roots[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
	const char *root = NULL;
	struct statfs sfs;
	if (geteuid() != 0)
		return skip("real cgroup v2: not root");
	for (size_t i = 0; i < AL_ARRAY_SIZE(roots) && !root; i++)
		if (statfs(roots[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
			root = roots[i];
	if (!root)
		return skip("real cgroup v2: no cgroup2 mount");
	char name[64], p[256];
	snprintf(name, sizeof name, "altest-%d-v2", (int)getpid());
	struct al_limits none = {0};
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	CHECK(al_cgroup_create(root, name, &none, false, &cg, &err) == 0);
	if (!cg)
		return fprintf(stderr, "    create: %s\n", err.msg), 0;
	CHECK(al_cgroup_v2_fd(cg) >= 0);
	int rel, status;
	pid_t child = spawn(idle, &rel);
	CHECK(al_cgroup_add_pid(cg, child, &err) == 0);
	snprintf(p, sizeof p, "%s/airlock/%s/cgroup.procs", root, name);
	CHECK(procs_has(p, child));
	close(rel);
	uint64_t t0 = al_now_ns();
	al_cgroup_destroy(cg);
	uint64_t t1 = al_now_ns();
	CHECK(waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	snprintf(p, sizeof p, "%s/airlock/%s", root, name);
	CHECK(access(p, F_OK) < 0);
	printf("    v2 destroy (cgroup.kill) with a live process: %.1f us\n", (double)(t1 - t0) / 1000);

	/* A limit whose controller this mount lacks is an error, and nothing is left. */
	char avail[256];
	if (al_read_file_at(AT_FDCWD, (snprintf(p, sizeof p, "%s/cgroup.controllers", root), p), avail,
			    sizeof avail) >= 0 &&
	    !strstr(avail, "pids")) {
		struct al_limits pids = {.pids = 8};
		CHECK(al_cgroup_create(root, name, &pids, false, &cg, &err) == -1);
		CHECK_ERR(err, "--pids-limit: cannot be enforced: pids controller not available in ");
		snprintf(p, sizeof p, "%s/airlock/%s", root, name);
		CHECK(access(p, F_OK) < 0);
	}
	return 0;
}

/* ---------- runner ---------- */

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
    {"detect", test_detect},
    {"v2_fake_limits", test_v2_fake_limits},
    {"v2_fake_swap", test_v2_fake_swap},
    {"v2_fake_nested", test_v2_fake_nested},
    {"v2_fake_subtree_already_on", test_v2_fake_subtree_already_on},
    {"v2_fake_unavailable", test_v2_fake_unavailable},
    {"v2_fake_no_limits", test_v2_fake_no_limits},
    {"bad_input", test_bad_input},
    {"fake_tree_refused", test_fake_tree_refused},
    {"v1_fake", test_v1_fake},
    {"rootless_v1", test_rootless_v1},
    {"rootless_v2_fake", test_rootless_v2_fake},
    {"sweep_fake", test_sweep_fake},
    {"v1_real_limits", test_v1_real_limits},
    {"v1_real_fork_bomb", test_v1_real_fork_bomb},
    {"v1_real_oom", test_v1_real_oom},
    {"v1_real_sweep", test_v1_real_sweep},
    {"v1_real_timing", test_v1_real_timing},
    {"v2_real_tracking", test_v2_real_tracking},
};

int main(void)
{
	int failed = 0, skipped = 0, n = (int)AL_ARRAY_SIZE(tests);
	setvbuf(stdout, NULL, _IONBF, 0);
	al_cgroup__allow_fake_tree(true);
	prctl(PR_SET_CHILD_SUBREAPER, 1); /* a fork bomb's orphans come back to us to be reaped */
	for (int i = 0; i < n; i++) {
		int before = failed_checks;
		int r = tests[i].fn();
		if (r == SKIP) {
			printf("SKIP: %s: %s\n", tests[i].name, skip_reason);
			skipped++;
		} else if (failed_checks > before) {
			printf("FAIL: %s\n", tests[i].name);
			failed++;
		} else {
			printf("PASS: %s\n", tests[i].name);
		}
		reap_all();
	}
	printf("%d passed, %d failed, %d skipped\n", n - failed - skipped, failed, skipped);
	if (failed)
		return 1;
	return skipped == n ? SKIP : 0;
}
