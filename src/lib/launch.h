/* launch.h: the launcher, parent side: clone into new namespaces, id maps, cgroup, wait, teardown.
 * al_run is the whole life of one sandbox; it returns only when every trace of it is gone. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum al_reason {
	AL_REASON_EXITED,
	AL_REASON_SIGNALED,
	AL_REASON_TIMEOUT,
	AL_REASON_OOM,
	AL_REASON_PIDS_LIMIT,
	AL_REASON_KILLED, /* airlock itself was told to stop (SIGINT/SIGTERM/SIGHUP) */
};

struct al_result {
	int exit_code; /* the command's exit code, or -1 when it died by a signal */
	int signal;    /* the signal that ended it, 0 if none */
	enum al_reason reason;
	uint64_t wall_ms, cpu_ms, max_rss_kb;
};

/* What a named sandbox's monitor adds to a run. */
struct al_run_hooks {
	const char *id;	       /* the sandbox's id (its cgroup, its default hostname); NULL = a fresh one */
	int exec_listen_fd;    /* pid 1 serves `airlock exec` on this listening socket; -1 = none */
	int egress_control_fd; /* the egress proxy takes policy changes on this listening socket; -1 = none */
	/* Called once the command has been started: err is NULL, or says why it could not be exec'd. */
	void (*started)(void *ctx, pid_t pid1, const struct al_err *err);
	void *ctx;
};

/* Run the sandbox described by *spec to completion. Returns 0 when the command ran (whatever its
 * status; see *res), -1 with *err when airlock could not start it. */
int al_run(struct al_spec *spec, struct al_result *res, struct al_err *err);
/* As al_run, with hooks (NULL = none). */
int al_run_hooked(struct al_spec *spec, const struct al_run_hooks *hooks, struct al_result *res,
		  struct al_err *err);

/* airlock-runtime's create: what it adds to a sandbox whose pid 1 outlives it. */
struct al_create_opts {
	const char *id;		   /* names the cgroup; the default hostname (as al_run_hooks.id) */
	const char *cgroup_parent; /* as root: the group is <cgroup_parent>/<id> (al_cgroup_create_in) */
	int exec_listen_fd; /* pid 1 takes start and exec requests on this listening socket (required) */
	int console_fd;	    /* spec->tty: the pty master is sent over this connected socket; else -1 */
	unsigned console_rows, console_cols; /* its initial size, 0 = leave it */
	/* Existing namespaces to join instead of making new ones (linux.namespaces[].path), NULL = none;
	 * with join_net the spec's network must be AL_NET_HOST. The caller's own namespaces change. */
	const char *join_net, *join_ipc, *join_uts;
	/* Called when pid 1 exists in its namespaces with its ids mapped, before it builds its root
	 * (prestart and createRuntime hooks), then once it is confined and waits for start
	 * (createContainer hooks). -1 with *err fails the create. NULL = nothing. */
	int (*namespaces_ready)(void *ctx, pid_t pid1, struct al_err *err);
	int (*created)(void *ctx, pid_t pid1, struct al_err *err);
	void *ctx;
};

/* Set the sandbox up to the point where its command would start, and leave it so: pid 1 is confined,
 * in its cgroup, and waits for an AL_EXEC_START request on o->exec_listen_fd; it is nobody's child
 * once the caller exits (a containerd shim, a subreaper, then reaps it) and exits with the command's
 * status. Returns 0 with *pid1, or -1 with *err and nothing left behind (pid 1 killed, cgroup gone). */
int al_create(struct al_spec *spec, const struct al_create_opts *o, pid_t *pid1, struct al_err *err);

const char *al_reason_name(enum al_reason r);
/* docker's exit status for a result: the code, or 128+signal. */
int al_result_exit_status(const struct al_result *res);
/* One JSON object on one line: exit_code, signal, reason, wall_ms, cpu_ms, max_rss_kb. */
void al_result_write_json(const struct al_result *res, FILE *out);
