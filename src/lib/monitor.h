/* monitor.h: one small process per running named sandbox, no central daemon. The monitor is the
 * sandbox's launcher (al_run): it holds the record's lock for as long as it lives, hands pid 1 the exec
 * socket, and writes to state.json when the command started and how it ended. Pid 1 dies with it. */
#pragma once

#include "error.h"
#include "launch.h"
#include "store.h"

/* Start b's sandbox under a new monitor in the background. Returns once the command runs (0), or -1
 * with *err when it could not be started (state.json then says why as well). */
int al_monitor_start(struct al_box *b, struct al_err *err);
/* Be b's monitor in this process, with the caller's terminal (`run --name` in the foreground). */
int al_monitor_run_here(struct al_box *b, struct al_spec *spec, struct al_result *res, struct al_err *err);
