/* test_caps.c: al_creds_apply in a fresh user namespace: exactly the kept capabilities in every set,
 * no_new_privs on, and the same after execve (for root and, when the host lets us map it, a non-root uid). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "util.h"

static int failures;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);             \
			failures++;                                                                          \
		}                                                                                            \
	} while (0)

#define SKIP 77

struct creds_case {
	const char *name;
	uid_t uid;
	gid_t gid;
	uint64_t keep;
	int setgroups_allowed;
	uint64_t inheritable, ambient; /* as an OCI config may ask; 0 = docker's empty sets */
	gid_t group;		       /* one supplementary group, 0 = none */
};

/* Value of a "Key:\t..." line in a /proc/<pid>/status text; hex for the Cap* lines. */
static bool status_field(const char *status, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	for (const char *line = status; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;
			v += strspn(v, " \t");
			size_t n = strcspn(v, "\n");
			if (n >= cap)
				n = cap - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

static uint64_t status_hex(const char *status, const char *key)
{
	char v[64];
	if (!status_field(status, key, v, sizeof v)) {
		fprintf(stderr, "no %s in status\n", key);
		failures++;
		return UINT64_MAX;
	}
	return strtoull(v, NULL, 16);
}

/* Check one process's status text against a case: called on the sandboxed process and on its exec. */
static void check_status(const struct creds_case *c, const char *status, const char *when, bool after_exec)
{
	char v[64];
	int before = failures;
	/* docker's semantics: a kept capability reaches a root command through the bounding set; a
	 * non-root command has none after exec but its ambient ones. Inheritable and ambient stay empty
	 * unless asked for. */
	uint64_t usable = after_exec && c->uid != 0 ? c->ambient : c->keep;
	CHECK(status_hex(status, "CapEff") == usable);
	CHECK(status_hex(status, "CapPrm") == usable);
	CHECK(status_hex(status, "CapBnd") == c->keep);
	CHECK(status_hex(status, "CapAmb") == c->ambient);
	CHECK(status_hex(status, "CapInh") == c->inheritable);
	CHECK(status_field(status, "NoNewPrivs", v, sizeof v) && strcmp(v, "1") == 0);
	CHECK(status_field(status, "Uid", v, sizeof v) && (uid_t)strtoul(v, NULL, 10) == c->uid);
	CHECK(status_field(status, "Gid", v, sizeof v) && (gid_t)strtoul(v, NULL, 10) == c->gid);
	if (c->setgroups_allowed && c->group)
		CHECK(status_field(status, "Groups", v, sizeof v) && (gid_t)strtoul(v, NULL, 10) == c->group);
	else if (c->setgroups_allowed)
		CHECK(status_field(status, "Groups", v, sizeof v) && v[0] == '\0');
	if (failures != before)
		fprintf(stderr, "case %s, %s:\n%s\n", c->name, when, status);
}

/* The sandboxed side: wait for the maps, apply the credentials, check itself, then exec cat on its own
 * status with stdout on the pipe so the parent can check what survived execve. */
static void sandboxed(const struct creds_case *c, int ready_fd, int out_fd)
{
	char status[4096], b;
	struct al_err err = {0};
	if (read(ready_fd, &b, 1) != 1)
		_exit(3);
	struct al_caps caps = {.keep = c->keep, .inheritable = c->inheritable, .ambient = c->ambient};
	if (al_creds_apply(c->uid, c->gid, &caps, &c->group, c->group ? 1 : 0, c->setgroups_allowed, &err) <
	    0) {
		fprintf(stderr, "case %s: al_creds_apply: %s\n", c->name, err.msg);
		_exit(1);
	}
	/* Securebits are not in status: the fixup and keep-caps bits locked; NOROOT on and locked when
	 * nothing is kept, off when root must get its kept capabilities at exec. */
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	int want = SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
	int noroot = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED;
	CHECK(bits >= 0 && (bits & want) == want && !(bits & SECBIT_KEEP_CAPS));
	CHECK(bits >= 0 && (bits & noroot) == (c->keep ? 0 : noroot));
	CHECK(al_read_file_at(AT_FDCWD, "/proc/self/status", status, sizeof status) > 0);
	check_status(c, status, "after al_creds_apply", false);
	if (failures)
		_exit(1);
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(4);
	execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
	_exit(127);
}

static bool write_map(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int r = al_write_file_at(AT_FDCWD, path, text, strlen(text));
	if (r < 0)
		fprintf(stderr, "write %s \"%s\": %s\n", path, text, strerror(-r));
	return r == 0;
}

/* Map the case's uid/gid (and 0) onto the caller: as host root, the case ids map to arbitrary host ids;
 * unprivileged, only "0 <own uid> 1" is possible. */
static bool write_maps(pid_t pid, const struct creds_case *c)
{
	char uid_map[64], gid_map[64];
	if (c->uid == 0)
		snprintf(uid_map, sizeof uid_map, "0 %u 1\n", (unsigned)getuid());
	else
		snprintf(uid_map, sizeof uid_map, "0 %u 1\n%u 100000 1\n", (unsigned)getuid(),
			 (unsigned)c->uid);
	if (c->gid == 0)
		snprintf(gid_map, sizeof gid_map, "0 %u 1\n", (unsigned)getgid());
	else
		snprintf(gid_map, sizeof gid_map, "0 %u 1\n%u 100000 1\n", (unsigned)getgid(),
			 (unsigned)c->gid);
	if (!c->setgroups_allowed && !write_map(pid, "setgroups", "deny"))
		return false;
	return write_map(pid, "uid_map", uid_map) && write_map(pid, "gid_map", gid_map);
}

/* Returns 0 on pass, 1 on failure, SKIP when user namespaces are unavailable. */
static int run_case(const struct creds_case *c)
{
	int ready[2], out[2], unshared[2];
	char b = 0;
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(unshared, O_CLOEXEC) < 0)
		return 1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		b = unshare(CLONE_NEWUSER) == 0 ? 'u' : 'e';
		if (write(unshared[1], &b, 1) != 1 || b != 'u')
			_exit(SKIP);
		sandboxed(c, ready[0], out[1]);
	}
	close(out[1]);
	close(unshared[1]);
	close(ready[0]);
	if (read(unshared[0], &b, 1) == 1 && b == 'u' && write_maps(pid, c))
		CHECK(write(ready[1], "g", 1) == 1);
	close(ready[1]);

	char status[4096];
	ssize_t n = al_read_all(out[0], status, sizeof status - 1);
	close(out[0]);
	close(unshared[0]);
	int ws = 0;
	CHECK(waitpid(pid, &ws, 0) == pid);
	if (b != 'u') {
		printf("SKIP %s: unshare(CLONE_NEWUSER) refused\n", c->name);
		return SKIP;
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
		fprintf(stderr, "case %s: child status 0x%x\n", c->name, ws);
		return 1;
	}
	status[n > 0 ? n : 0] = '\0';
	int before = failures;
	CHECK(n > 0);
	check_status(c, status, "after execve", true);
	return failures != before;
}

int main(void)
{
	const uint64_t nbs = UINT64_C(1) << CAP_NET_BIND_SERVICE;
	bool host_root = geteuid() == 0;
	const struct creds_case cases[] = {
	    {"root keep none", 0, 0, 0, host_root},
	    {"root keep net_bind_service", 0, 0, nbs, host_root},
	    {"uid 1000 keep none", 1000, 1000, 0, host_root},
	    {"uid 1000 keep net_bind_service", 1000, 1000, nbs, host_root},
	    {"uid 1000 ambient net_bind_service, a group", 1000, 1000, nbs, host_root, nbs, nbs, 1000},
	    {"root inheritable net_bind_service", 0, 0, nbs, host_root, nbs, 0},
	};
	struct al_err err = {0};
	int last = al_cap_last(), ran = 0;
	CHECK(last >= CAP_NET_BIND_SERVICE && last < 64 && last == al_cap_last());

	for (size_t i = 0; i < AL_ARRAY_SIZE(cases); i++) {
		if (cases[i].uid != 0 && !host_root) {
			printf("SKIP %s: mapping a second uid needs host root\n", cases[i].name);
			continue;
		}
		int r = run_case(&cases[i]);
		if (r == SKIP)
			continue;
		ran++;
		if (r != 0)
			failures++;
		else
			printf("ok %s\n", cases[i].name);
	}
	/* A capability beyond the kernel's last one is refused before anything changes (in a child all the
	 * same: were it not refused, it would change this process's credentials). */
	if (last < 63) {
		pid_t pid = fork();
		struct al_caps unknown = {.keep = UINT64_C(1) << (last + 1)};
		if (pid == 0)
			_exit(al_creds_apply(0, 0, &unknown, NULL, 0, 0, &err) < 0 &&
				      strstr(err.msg, "unknown")
				  ? 0
				  : 1);
		int ws = 0;
		CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	}

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	return ran ? 0 : SKIP;
}
