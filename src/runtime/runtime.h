/* runtime.h: what airlock-runtime's files share: the global flags, runc-style errors, the registry of
 * containers under --root (container.c), OCI hooks (hooks.c) and the verbs. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "json_cleanup.h"

struct rt_globals {
	const char *root; /* --root: one directory per container */
	const char *log;  /* --log: errors are also written there */
	bool log_json;	  /* --log-format json */
	bool debug;
};
extern struct rt_globals rt_g;

/* runc's error reporting: "airlock-runtime: MSG" on stderr and the same to --log (text or JSON lines).
 * Returns 1, the exit status of every failed verb. */
int rt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same at level warning; the verb goes on. */
void rt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- container.c: <root>/<id>/state.json, and exec.sock where the container's pid 1 listens ---- */

#define RT_STATUS_CREATED "created"
#define RT_STATUS_RUNNING "running"
#define RT_STATUS_PAUSED  "paused"
#define RT_STATUS_STOPPED "stopped"

struct rt_container {
	char *id;
	char *dir;     /* <root>/<id> */
	int dirfd;     /* O_PATH of dir: sockets are reached through /proc/self/fd (sun_path is short) */
	json_t *state; /* state.json: see container.c */
};

/* runc's rule for ids: letters, digits, "_", "+", "-", "." (not "." or ".."), at most 1024 bytes. */
bool rt_valid_id(const char *id);
/* Make <root>/<id> (and root) for a new container; "container with id ID already exists". c->dirfd
 * is open exactly when the directory is this call's. */
int rt_container_new(const char *id, struct rt_container *c, struct al_err *err);
/* Open an existing container; "container ID does not exist" (errnum ENOENT). */
int rt_container_load(const char *id, struct rt_container *c, struct al_err *err);
int rt_container_save(const struct rt_container *c, struct al_err *err);
/* Remove the directory and everything in it. */
void rt_container_remove(struct rt_container *c);
void rt_container_free(struct rt_container *c);

/* Field 22 of /proc/PID/stat (its start time in clock ticks), 0 when there is no such process. */
unsigned long long rt_proc_start_time(pid_t pid);
/* pid 1's host pid while it is the same live process (its start time is recorded), else 0. */
pid_t rt_container_pid(const struct rt_container *c);
/* A pidfd of pid 1 when it is alive, else -1. */
int rt_container_pidfd(const struct rt_container *c);
/* created, running, paused or stopped. */
const char *rt_container_status(const struct rt_container *c);
/* The OCI state object (ociVersion, id, status, pid, bundle, annotations, and runc's rootfs, created,
 * owner). New reference. */
json_t *rt_container_oci_state(const struct rt_container *c, const char *status);
/* A connected unix stream socket to path; errors name `what` ("--console-socket"). */
int rt_connect_unix(const char *path, const char *what, struct al_err *err);
/* Connect to pid 1's exec socket. */
int rt_container_connect(const struct rt_container *c, struct al_err *err);
#define RT_CGROUP_ROOT "/sys/fs/cgroup"
struct al_cgroup;
/* The container's cgroup as recorded at create (state "cgroupParent" and "cgroup"); NULL when gone. */
struct al_cgroup *rt_container_open_cgroup(const struct rt_container *c);

/* ---- hooks.c ----------------------------------------------------------------------------------- */

/* Run the hooks of `phase` ("prestart", "createRuntime", ...) from hooks (config.json's "hooks" object,
 * NULL = none) in order, each with the state JSON on its stdin, its own args and env, and its timeout.
 * ns_pid > 0 runs them in that process's namespaces (createContainer, startContainer); 0 in the
 * runtime's. -1 with *err naming the first that failed; the other phases stop there, poststart and
 * poststop warn and run the remaining ones (runtime-spec's lifecycle). */
int rt_hooks_run(const json_t *hooks, const char *phase, const json_t *state, pid_t ns_pid,
		 struct al_err *err);

/* Write pid to path atomically (runc's --pid-file). */
int rt_write_pid_file(const char *path, pid_t pid, struct al_err *err);

/* ---- verbs ------------------------------------------------------------------------------------- */

int rt_cmd_create(int argc, char **argv);
int rt_cmd_run(int argc, char **argv);
int rt_cmd_start(int argc, char **argv);
int rt_cmd_state(int argc, char **argv);
int rt_cmd_kill(int argc, char **argv);
int rt_cmd_delete(int argc, char **argv);
int rt_cmd_list(int argc, char **argv);
int rt_cmd_ps(int argc, char **argv);
int rt_cmd_pause(int argc, char **argv);
int rt_cmd_resume(int argc, char **argv);
int rt_cmd_exec(int argc, char **argv);
