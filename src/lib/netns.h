/* netns.h: the sandbox's network namespace: loopback only; egress only through airlock's proxy.
 * Child side. */
#pragma once

#include <stdint.h>

#include "error.h"

/* Bring up lo in the current (new) network namespace. */
int al_netns_loopback_up(struct al_err *err);
/* A listening TCP socket on 127.0.0.1:port of the current network namespace: the door to the egress
 * proxy, which accepts on it from outside (a socket stays in the namespace it was made in). */
int al_netns_proxy_listener(uint16_t port, struct al_err *err);
