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
 * libseccomp, with airlock's own denials (see seccomp.c) added on top, and the BPF cached under
 * cache_dir keyed by the SHA-256 of the profile text (cache_dir NULL = no cache). */
int al_seccomp_prepare(const char *profile_path, const char *cache_dir, struct al_bpf *out, struct al_err *err);
/* Child side: install the program. Requires no_new_privs. Returns 0 or -errno. Signal-safe. */
int al_seccomp_install(const struct al_bpf *prog);
void al_bpf_free(struct al_bpf *prog);
