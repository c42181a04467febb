/* netns.h: the sandbox's network namespace: loopback only (egress comes later through a proxy).
 * Child side. */
#pragma once

#include "error.h"

/* Bring up lo in the current (new) network namespace. */
int al_netns_loopback_up(struct al_err *err);
