/* result.c: how a sandbox ended, as docker exit statuses and as one JSON line.
 * The JSON goes through jansson so that field escaping is never hand-rolled. */
#include <jansson.h>

#include "launch.h"

static const char *const reason_names[] = {
    [AL_REASON_EXITED] = "exited", [AL_REASON_SIGNALED] = "signaled",	  [AL_REASON_TIMEOUT] = "timeout",
    [AL_REASON_OOM] = "oom",	   [AL_REASON_PIDS_LIMIT] = "pids-limit", [AL_REASON_KILLED] = "killed",
};

const char *al_reason_name(enum al_reason r)
{
	return (unsigned)r < sizeof reason_names / sizeof reason_names[0] ? reason_names[r] : "unknown";
}

int al_result_exit_status(const struct al_result *res)
{
	if (res->signal)
		return 128 + res->signal;
	return res->exit_code & 0xff;
}

void al_result_write_json(const struct al_result *res, FILE *out)
{
	json_t *o =
	    json_pack("{s:i, s:i, s:s, s:I, s:I, s:I}", "exit_code", res->exit_code, "signal", res->signal,
		      "reason", al_reason_name(res->reason), "wall_ms", (json_int_t)res->wall_ms, "cpu_ms",
		      (json_int_t)res->cpu_ms, "max_rss_kb", (json_int_t)res->max_rss_kb);
	if (!o)
		return;
	json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	fflush(out);
	json_decref(o);
}
