/* egress_proc.c: the egress proxy's own process, one per sandbox. The launcher forks it when pid 1 hands
 * over the door (a listening socket in the sandbox's network namespace); it dies with the launcher,
 * keeps only its three descriptors, and runs as the sandbox's unprivileged host user. */
#include "egress_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "egress.h"
#include "util.h"

/* Move fd to `want` (which must be free or one of ours already moved). */
static int move_fd(int fd, int want)
{
	if (fd < 0 || fd == want)
		return fd;
	return dup3(fd, want, O_CLOEXEC) < 0 ? -1 : want;
}

__attribute__((noreturn)) static void proxy_main(const struct al_egress_spawn *s, pid_t parent)
{
	struct al_err err = {0};
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	al_reset_signal_handlers();
	signal(SIGPIPE, SIG_IGN);
	/* keep stdio (errors go where the launcher's go) and our three descriptors, at 3, 4, 5 */
	int fds[3] = {s->door_fd, s->control_fd, s->log_fd}, hi[3];
	for (int i = 0; i < 3; i++)
		hi[i] = fds[i] < 0 ? -1 : fcntl(fds[i], F_DUPFD_CLOEXEC, 64);
	int door = move_fd(hi[0], 3), control = move_fd(hi[1], 4), log = move_fd(hi[2], 5);
	close_range(6, ~0U, 0);
	if (door < 0)
		_exit(1);
	if (s->uid != (uid_t)-1) {
		(void)setgroups(0, NULL);
		if (syscall(SYS_setresgid, s->gid, s->gid, s->gid) < 0 ||
		    syscall(SYS_setresuid, s->uid, s->uid, s->uid) < 0) {
			fprintf(stderr, "airlock: egress proxy: drop privileges: %s\n", strerror(errno));
			_exit(1);
		}
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0);
	struct al_egress_config cfg = {
	    .listen_fd = door,
	    .control_fd = control,
	    .log_fd = log,
	    .sandbox = s->sandbox,
	    .allow = s->spec->egress_allow,
	    .deny = s->spec->egress_deny,
	    .pins = s->spec->extra_hosts,
	    .rate_bytes_per_sec = s->spec->egress_rate,
	    .max_conns = s->spec->egress_max_conns,
	};
	al_egress_serve(&cfg, &err);
	fprintf(stderr, "airlock: egress proxy: %s\n", err.msg);
	_exit(1);
}

int al_egress_spawn(const struct al_egress_spawn *s, pid_t *pid_out, struct al_err *err)
{
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return al_err_sys(err, errno, "egress: fork the proxy");
	if (pid == 0)
		proxy_main(s, parent);
	*pid_out = pid;
	return 0;
}
