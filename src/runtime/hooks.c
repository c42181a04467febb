/* hooks.c: runtime-spec hooks. Each hook is its own process: the state JSON on its stdin, exactly its
 * args and env, stdout and stderr on the runtime's stderr, killed at its timeout. createContainer and
 * startContainer hooks run in the container's namespaces (entered through a pidfd of its pid 1, all at
 * once); the others in the runtime's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime.h"
#include "util.h"

/* A hook's argv or env from its JSON array (NULL when absent); the strings stay the JSON's. */
static char **strv_of(const json_t *arr, const char *first)
{
	size_t n = json_array_size(arr);
	char **v = al_xcalloc(n + 2, sizeof *v);
	size_t k = 0;
	if (n == 0 && first)
		v[k++] = (char *)first;
	for (size_t i = 0; i < n; i++)
		if (json_is_string(json_array_get(arr, i)))
			v[k++] = (char *)json_string_value(json_array_get(arr, i));
	return v;
}

__attribute__((noreturn)) static void hook_child(const char *path, char **argv, char **envp, int in, int nsfd)
{
	/* in the container's namespaces, as the root of its user namespace (the host's root has no id
	 * there: files it made would fail with EOVERFLOW) */
	if (nsfd >= 0 && (setns(nsfd, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
					  CLONE_NEWNET | CLONE_NEWCGROUP) < 0 ||
			  setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		dprintf(2, "airlock-runtime: hook %s: enter the container's namespaces: %s\n", path,
			strerror(errno));
		_exit(127);
	}
	if (nsfd >= 0 && chdir("/") < 0)
		_exit(127);
	if (in == 0) /* dup2 onto itself would keep close-on-exec */
		fcntl(0, F_SETFD, 0);
	else
		dup2(in, 0);
	dup2(2, 1);
	al_reset_signal_handlers();
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(path, argv, envp);
	dprintf(2, "airlock-runtime: hook %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* Wait for the hook, killing it at its timeout (seconds, 0 = none). Returns its wait status or -1. */
static int wait_hook(pid_t pid, int timeout_s, bool *timed_out)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0 && timeout_s > 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		int r;
		while ((r = poll(&p, 1, timeout_s * 1000)) < 0 && errno == EINTR)
			;
		if (r == 0) {
			*timed_out = true;
			kill(pid, SIGKILL);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static int run_hook(const json_t *hook, const char *phase, size_t i, const char *state_text, int nsfd,
		    struct al_err *err)
{
	const char *path = json_string_value(json_object_get(hook, "path"));
	if (!path)
		return al_err_set(err, EINVAL, "hooks.%s[%zu]: no path", phase, i);
	_cleanup_free_ char **argv = strv_of(json_object_get(hook, "args"), path);
	_cleanup_free_ char **envp = strv_of(json_object_get(hook, "env"), NULL);
	int timeout = (int)json_integer_value(json_object_get(hook, "timeout"));
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return al_err_sys(err, errno, "hook %s", path);
	pid_t pid = fork();
	if (pid == 0)
		hook_child(path, argv, envp, pipefd[0], nsfd);
	close(pipefd[0]);
	if (pid < 0) {
		close(pipefd[1]);
		return al_err_sys(err, errno, "hook %s: fork", path);
	}
	signal(SIGPIPE, SIG_IGN); /* a hook that does not read its stdin is no error */
	(void)al_write_all(pipefd[1], state_text, strlen(state_text));
	close(pipefd[1]);
	bool timed_out = false;
	int status = wait_hook(pid, timeout, &timed_out);
	if (timed_out)
		return al_err_set(err, ETIMEDOUT, "%s hook %s: timed out after %d s", phase, path, timeout);
	if (status < 0)
		return al_err_sys(err, errno, "%s hook %s: wait", phase, path);
	if (WIFSIGNALED(status))
		return al_err_set(err, ECHILD, "%s hook %s: killed by signal %d", phase, path,
				  WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return al_err_set(err, ECHILD, "%s hook %s: exit status %d", phase, path,
				  WEXITSTATUS(status));
	return 0;
}

int rt_hooks_run(const json_t *hooks, const char *phase, const json_t *state, pid_t ns_pid,
		 struct al_err *err)
{
	const json_t *list = json_object_get(hooks, phase);
	if (json_array_size(list) == 0)
		return 0;
	_cleanup_free_ char *text = json_dumps(state, JSON_COMPACT);
	_cleanup_close_ int nsfd = -1;
	if (ns_pid > 0) {
		nsfd = (int)syscall(SYS_pidfd_open, ns_pid, 0);
		if (nsfd < 0)
			return al_err_sys(err, errno, "%s hooks: the container's init", phase);
	}
	/* poststart and poststop: a failure is a warning, and the remaining hooks still run */
	bool keep_going = strcmp(phase, "poststart") == 0 || strcmp(phase, "poststop") == 0;
	int r = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		struct al_err one = {0};
		if (run_hook(json_array_get(list, i), phase, i, text, nsfd, &one) == 0)
			continue;
		if (r == 0 && err)
			*err = one;
		r = -1;
		if (!keep_going)
			break;
		rt_warn("%s", one.msg);
	}
	return r;
}
