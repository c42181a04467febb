/* spec.c: construction, mutation and whole-spec validation of struct al_spec.
 * Field-level parsing lives in parse.c; this file checks how the fields fit together. */
#include "spec.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "parse.h"
#include "util.h"

void al_spec_init(struct al_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->read_only = true;
	spec->landlock = true;
	spec->network = AL_NET_NONE;
	spec->env = al_xcalloc(1, sizeof(char *));
}

void al_mount_free(struct al_mount *m)
{
	free(m->source);
	free(m->target);
	free(m->options);
	m->source = m->target = m->options = NULL;
}

void al_spec_free(struct al_spec *spec)
{
	for (size_t i = 0; i < spec->argc; i++)
		free(spec->argv[i]);
	free(spec->argv);
	for (size_t i = 0; i < spec->n_mounts; i++)
		al_mount_free(&spec->mounts[i]);
	free(spec->mounts);
	for (size_t i = 0; i < spec->n_env; i++)
		free(spec->env[i]);
	free(spec->env);
	free(spec->rootfs);
	free(spec->image);
	free(spec->image_id);
	al_strv_free(spec->layers);
	al_strv_free(spec->labels);
	al_strv_free(spec->dns);
	al_strv_free(spec->extra_hosts);
	al_strv_free(spec->egress_allow);
	al_strv_free(spec->egress_deny);
	free(spec->egress_log);
	free(spec->seccomp_profile);
	free(spec->rlimits);
	free(spec->workdir);
	free(spec->hostname);
	free(spec->name);
	free(spec->json_path);
	free(spec->groups);
	al_strv_free(spec->masked_paths);
	al_strv_free(spec->readonly_paths);
	memset(spec, 0, sizeof *spec);
}

struct al_mount *al_spec_add_mount(struct al_spec *spec, const struct al_mount *m)
{
	spec->mounts = al_xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof *spec->mounts);
	struct al_mount *dst = &spec->mounts[spec->n_mounts++];
	*dst = *m;
	dst->source = m->source ? al_xstrdup(m->source) : NULL;
	dst->target = al_xstrdup(m->target);
	dst->options = m->options ? al_xstrdup(m->options) : NULL;
	return dst;
}

static ssize_t env_index(const struct al_spec *spec, const char *key)
{
	size_t klen = strlen(key);
	for (size_t i = 0; i < spec->n_env; i++)
		if (strncmp(spec->env[i], key, klen) == 0 && spec->env[i][klen] == '=')
			return (ssize_t)i;
	return -1;
}

void al_spec_setenv(struct al_spec *spec, const char *key, const char *val)
{
	char *entry = al_xasprintf("%s=%s", key, val);
	ssize_t i = env_index(spec, key);
	if (i >= 0) {
		free(spec->env[i]);
		spec->env[i] = entry;
		return;
	}
	spec->env = al_xrealloc(spec->env, (spec->n_env + 2) * sizeof(char *));
	spec->env[spec->n_env++] = entry;
	spec->env[spec->n_env] = NULL;
}

void al_spec_apply_egress_env(struct al_spec *spec)
{
	static const char *const proxy_keys[] = {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"};
	static const char *const socks_keys[] = {"ALL_PROXY", "all_proxy"};
	static const char *const no_proxy_keys[] = {"NO_PROXY", "no_proxy"};
	if (!al_spec_egress(spec))
		return;
	char http[64], socks[64];
	snprintf(http, sizeof http, "http://127.0.0.1:%d", AL_EGRESS_PORT);
	snprintf(socks, sizeof socks, "socks5h://127.0.0.1:%d", AL_EGRESS_PORT);
	for (size_t i = 0; i < AL_ARRAY_SIZE(proxy_keys); i++)
		if (!al_spec_getenv(spec, proxy_keys[i]))
			al_spec_setenv(spec, proxy_keys[i], http);
	for (size_t i = 0; i < AL_ARRAY_SIZE(socks_keys); i++)
		if (!al_spec_getenv(spec, socks_keys[i]))
			al_spec_setenv(spec, socks_keys[i], socks);
	for (size_t i = 0; i < AL_ARRAY_SIZE(no_proxy_keys); i++)
		if (!al_spec_getenv(spec, no_proxy_keys[i]))
			al_spec_setenv(spec, no_proxy_keys[i], "localhost,127.0.0.1");
}

const char *al_spec_getenv(const struct al_spec *spec, const char *key)
{
	ssize_t i = env_index(spec, key);
	return i < 0 ? NULL : spec->env[i] + strlen(key) + 1;
}

void al_spec_set_rlimit(struct al_spec *spec, int resource, rlim_t soft, rlim_t hard)
{
	for (size_t i = 0; i < spec->n_rlimits; i++) {
		if (spec->rlimits[i].resource == resource) {
			spec->rlimits[i].soft = soft;
			spec->rlimits[i].hard = hard;
			return;
		}
	}
	spec->rlimits = al_xrealloc(spec->rlimits, (spec->n_rlimits + 1) * sizeof *spec->rlimits);
	spec->rlimits[spec->n_rlimits++] = (struct al_rlimit){resource, soft, hard};
}

/* Targets the launcher itself mounts: a user mount there would be hidden or would hide them. */
static const char *const reserved_targets[] = {"/", "/proc", "/dev", "/sys"};

static int validate_mounts(const struct al_spec *spec, struct al_err *err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct al_mount *m = &spec->mounts[i];
		if (m->target[0] != '/')
			return al_err_set(err, EINVAL, "mount target %s: not an absolute path", m->target);
		for (size_t r = 0; r < AL_ARRAY_SIZE(reserved_targets); r++)
			if (strcmp(m->target, reserved_targets[r]) == 0)
				return al_err_set(err, EINVAL, "mount target %s: reserved by airlock",
						  m->target);
		if (strncmp(m->target, "/proc/", 6) == 0 || strncmp(m->target, "/sys/", 5) == 0)
			return al_err_set(err, EINVAL, "mount target %s: inside a kernel filesystem",
					  m->target);
		for (size_t j = 0; j < i; j++)
			if (strcmp(spec->mounts[j].target, m->target) == 0)
				return al_err_set(err, EINVAL, "mount target %s: given twice", m->target);
	}
	return 0;
}

int al_spec_validate(const struct al_spec *spec, struct al_err *err)
{
	if (spec->argc == 0 || !spec->argv || !spec->argv[0] || !spec->argv[0][0])
		return al_err_set(err, EINVAL, "no command given");
	if (spec->seccomp_unconfined && spec->seccomp_profile)
		return al_err_set(err, EINVAL,
				  "--security-opt seccomp=unconfined conflicts with a seccomp profile");
	if (spec->seccomp_unconfined && !spec->allow_weakening)
		return al_err_set(err, EPERM,
				  "--security-opt seccomp=unconfined refused: add --allow-unconfined to "
				  "really run without seccomp");
	if (spec->limits.memory_swap > 0 && spec->limits.memory == 0)
		return al_err_set(err, EINVAL, "--memory-swap needs --memory");
	if (spec->limits.memory_swap > 0 && spec->limits.memory_swap < spec->limits.memory)
		return al_err_set(err, EINVAL, "--memory-swap must be at least --memory");
	if (al_spec_egress(spec) && spec->network != AL_NET_NONE)
		return al_err_set(err, EINVAL, "--allow-host/--deny-host need --network none (the default)");
	if ((spec->egress_log || spec->egress_rate || spec->egress_max_conns) && !al_spec_egress(spec))
		return al_err_set(
		    err, EINVAL,
		    "--egress-log, --egress-rate and --egress-max-conns need --allow-host or --deny-host");
	if (spec->workdir && spec->workdir[0] != '/')
		return al_err_set(err, EINVAL, "workdir %s: not an absolute path", spec->workdir);
	if (spec->hostname && (strlen(spec->hostname) == 0 || strlen(spec->hostname) > 64))
		return al_err_set(err, EINVAL, "hostname \"%s\": must be 1 to 64 characters", spec->hostname);
	return validate_mounts(spec, err);
}

int al_spec_check_sources(const struct al_spec *spec, struct al_err *err)
{
	const char *root = spec->rootfs ? spec->rootfs : "/";
	struct stat st;
	if (stat(root, &st) < 0)
		return al_err_sys(err, errno, "rootfs %s", root);
	if (!S_ISDIR(st.st_mode))
		return al_err_set(err, ENOTDIR, "rootfs %s: not a directory", root);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct al_mount *m = &spec->mounts[i];
		if (m->kind == AL_MOUNT_BIND && !m->is_named && stat(m->source, &st) < 0)
			return al_err_sys(err, errno, "volume source %s", m->source);
	}
	return 0;
}
