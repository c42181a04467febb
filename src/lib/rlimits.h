/* rlimits.h: resource limits of the sandbox's processes (docker's --ulimit).
 * Child side, before the command is forked. */
#pragma once

#include <stddef.h>

#include "error.h"
#include "spec.h"

int al_rlimits_apply(const struct al_rlimit *limits, size_t n, struct al_err *err);
