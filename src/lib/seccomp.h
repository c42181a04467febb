/* seccomp.h: seccomp policy as data, compiled to BPF once and loaded directly.
 * The default allowlist is compiled at build time; custom docker-format profiles are cached by hash. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "error.h"

struct al_bpf {
	struct sock_filter *insns;
	unsigned short len;
	bool owned; /* insns was malloc'd (custom profile) rather than the built-in table */
};

/* Parent side. profile_path NULL = the built-in default. A custom profile (docker's JSON format:
 * defaultAction, architectures, syscalls[{names, action, args, errnoRet}]) is compiled with
 * libseccomp, with airlock's own denials (see seccomp_compile.c) in front, and the BPF cached under
 * cache_dir (created 0700; NULL = no cache). Entries are named by a 64-bit hash of the profile text and
 * of what else decides the output (airlock, libseccomp, arch, kernel) and hold the full text, which is
 * compared, so a collision or a damaged entry only costs a rebuild. Cache write failures are ignored. */
int al_seccomp_prepare(const char *profile_path, const char *cache_dir, struct al_bpf *out,
		       struct al_err *err);
/* Child side: install the program. Requires no_new_privs. Returns 0 or -errno. Signal-safe. */
int al_seccomp_install(const struct al_bpf *prog);
void al_bpf_free(struct al_bpf *prog);
