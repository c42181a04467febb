/* seccomp_compile.h: docker-format seccomp JSON compiled to classic BPF, with airlock's own denials on top.
 * Used at build time by seccomp-gen (the default profile) and at run time by seccomp.c (custom profiles). */
#pragma once

#include <stddef.h>

#include "error.h"
#include "seccomp.h"

/* Compile a docker-format profile for the running machine's architecture (and the subarchitectures its
 * archMap entry lists). Rules are filtered as docker does for a process with no capabilities; unknown
 * syscall names are skipped. airlock's denials (see seccomp_compile.c) are placed in front of the profile
 * so that they win over anything the profile allows. On success out->insns is malloc'd (owned = true).
 * what names the profile in error messages ("seccomp profile /x.json: syscalls[3].action: ..."). */
int al_seccomp_compile_json(const char *json_text, size_t len, const char *what, struct al_bpf *out,
			    struct al_err *err);

/* Everything besides the profile text that decides what al_seccomp_compile_json produces here: this
 * compiler's revision, airlock's and libseccomp's versions, the architecture and the kernel release (for
 * minKernel). A cache of compiled profiles is keyed by it. */
void al_seccomp_compile_env(char *buf, size_t size);

/* Read a profile file (at most 4 MiB) into a malloc'd, NUL-terminated buffer. */
int al_seccomp_read_profile(const char *path, char **text, size_t *len, struct al_err *err);

/* The default profile compiled at build time by seccomp-gen (seccomp_default_bpf.c in the build tree). */
extern const struct sock_filter al_seccomp_default_insns[];
extern const unsigned short al_seccomp_default_len;
