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
};

/* Run the process and wait for it (unless detached): *status is docker's exit status (the code, or
 * 128+signal; 137 when the sandbox stopped under it). -1 with *err when it could not be asked for. */
int al_exec(const struct al_box *b, const struct al_exec_opts *o, int *status, struct al_err *err);
/* An O_PATH fd of the running sandbox's root directory, from its pid 1 (for cp): paths looked up from
 * it walk the sandbox's own mounts. -1 with *err when it is not running. */
int al_exec_root_fd(const struct al_box *b, struct al_err *err);
