/* rlimits.c: setrlimit for each --ulimit, in the sandbox before the command starts.
 * Raising a hard limit needs CAP_SYS_RESOURCE on the host, so a refused raise is an error, not ignored. */
#include "rlimits.h"

#include <errno.h>
#include <sys/resource.h>

#include "parse.h"

int al_rlimits_apply(const struct al_rlimit *limits, size_t n, struct al_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit rl = {.rlim_cur = limits[i].soft, .rlim_max = limits[i].hard};
		if (setrlimit(limits[i].resource, &rl) < 0) {
			const char *name = al_ulimit_name(limits[i].resource);
			/* RLIM_INFINITY prints as -1, docker's spelling of unlimited. */
			return al_err_sys(err, errno, "--ulimit %s=%lld:%lld", name ? name : "?",
					  (long long)rl.rlim_cur, (long long)rl.rlim_max);
		}
	}
	return 0;
}
