/* exec.h: `airlock exec`'s library half: ask pid 1 of a running named sandbox to start a process
 * (zygote.c), relay its pty when there is one, forward signals, return its exit status. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "store.h"

struct al_exec_opts {
	char **argv;	     /* NULL-terminated */
	char **env;	     /* the whole environment, NULL-terminated */
	const char *workdir; /* absolute, inside the sandbox */
	bool user_given;     /* -u: become uid:gid (needs CAP_SETUID/CAP_SETGID in the sandbox) */
	uid_t uid;
	gid_t gid;
	bool interactive, tty, detach;
	/* airlock-runtime: the pty master goes to on_pty (the console socket) instead of being relayed to
	 * the caller's terminal; on_started gets the process's pid inside once it runs; release_stdio
	 * puts /dev/null on the caller's stdio once they are handed over. NULL/false = none. */
	int (*on_pty)(void *ctx, int master);
	void (*on_started)(void *ctx, int pid);
	void *ctx;
	bool release_stdio;
};

/* Run the process and wait for it (unless detached): *status is docker's exit status (the code, or
 * 128+signal; 137 when the sandbox stopped under it). -1 with *err when it could not be asked for. */
int al_exec(const struct al_box *b, const struct al_exec_opts *o, int *status, struct al_err *err);
/* As al_exec, on a connection to pid 1's exec socket (consumed). */
int al_exec_conn(int conn, const struct al_exec_opts *o, int *status, struct al_err *err);
/* airlock-runtime's start, on a connection to pid 1's exec socket (consumed): pid 1 of a created
 * container starts its command. 0 with *pid (inside the container), or -1 with *err. */
int al_exec_start(int conn, int *pid, struct al_err *err);
/* An O_PATH fd of the running sandbox's root directory, from its pid 1 (for cp): paths looked up from
 * it walk the sandbox's own mounts. -1 with *err when it is not running. */
int al_exec_root_fd(const struct al_box *b, struct al_err *err);
