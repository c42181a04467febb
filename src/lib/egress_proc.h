/* egress_proc.h: the per-sandbox egress proxy process (launcher side). */
#pragma once

#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct al_egress_spawn {
	const struct al_spec *spec; /* rules, pins (--add-host), rate, connection cap */
	const char *sandbox;	    /* its name or id, for the log and denials */
	int door_fd;		    /* the listening socket in the sandbox's netns */
	int control_fd;		    /* named sandboxes: the policy control socket, else -1 */
	int log_fd;		    /* --egress-log, opened by the launcher, else -1 */
	uid_t uid;		    /* host ids to run as; (uid_t)-1 = stay (rootless) */
	gid_t gid;
};

/* Fork the proxy; it dies with the caller (parent-death signal). */
int al_egress_spawn(const struct al_egress_spawn *s, pid_t *pid_out, struct al_err *err);
