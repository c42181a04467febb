/* etc_files.h: generated /etc/hosts and /etc/resolv.conf (--add-host, --dns), as docker's. Child side. */
#pragma once

#include "error.h"
#include "mounts.h"
#include "sandbox.h"

/* With --add-host or --dns: bind generated files over /etc/hosts (and /etc/resolv.conf with --dns)
 * of the root being built. Nothing to do otherwise. */
int al_etc_files(struct al_sandbox *sb, struct al_root_build *b, struct al_err *err);
