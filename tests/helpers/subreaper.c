/* subreaper.c: a stand-in for a containerd shim's reaping: become a child subreaper, run COMMAND (which
 * runs `airlock-runtime create` and `start`, whose container init is then reparented here), and
 * report every process reaped as "reaped PID status N" (N: exit code, or 128+signal) once COMMAND
 * and all of them are gone. Usage: al-subreaper COMMAND [ARG...]. Gives up after 30 s. */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: al-subreaper COMMAND [ARG...]\n");
		return 2;
	}
	alarm(30);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("al-subreaper: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	pid_t cmd = fork();
	if (cmd == 0) {
		execvp(argv[1], argv + 1);
		perror("al-subreaper: exec");
		_exit(127);
	}
	int status;
	pid_t p;
	while ((p = wait(&status)) > 0 || errno == EINTR)
		if (p > 0 && p != cmd)
			printf("reaped %d status %d\n", (int)p,
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
