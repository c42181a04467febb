/* image_spec.c: an image as a sandbox's root: its layers, and its config (Entrypoint, Cmd, Env,
 * WorkingDir, User) filling what the command line left unset, as docker does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "parse.h"
#include "spec.h"
#include "util.h"

static void push_json_strings(char ***argv, size_t *n, const json_t *arr)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return;
	json_array_foreach (arr, i, v)
		if (json_is_string(v))
			al_strv_push(argv, n, json_string_value(v));
}

static void apply_command(struct al_spec *spec, const char *entrypoint, const json_t *config)
{
	char **argv = NULL;
	size_t n = 0;
	if (entrypoint) {
		if (*entrypoint)
			al_strv_push(&argv, &n, entrypoint);
	} else {
		push_json_strings(&argv, &n, json_object_get(config, "Entrypoint"));
	}
	if (spec->argc) {
		for (size_t i = 0; i < spec->argc; i++)
			al_strv_push(&argv, &n, spec->argv[i]);
	} else {
		push_json_strings(&argv, &n, json_object_get(config, "Cmd"));
	}
	for (size_t i = 0; i < spec->argc; i++)
		free(spec->argv[i]);
	free(spec->argv);
	spec->argv = argv ? argv : al_xcalloc(1, sizeof(char *));
	spec->argc = n;
}

static void apply_env(struct al_spec *spec, const json_t *config)
{
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(config, "Env"), i, v) {
		const char *kv = json_string_value(v);
		const char *eq = kv ? strchr(kv, '=') : NULL;
		if (!eq)
			continue;
		_cleanup_free_ char *key = al_xstrndup(kv, (size_t)(eq - kv));
		if (!al_spec_getenv(spec, key))
			al_spec_setenv(spec, key, eq + 1);
	}
}

static int apply_user(struct al_spec *spec, const json_t *config, struct al_err *err)
{
	const char *user = json_string_value(json_object_get(config, "User"));
	if (spec->user_given || !user || !*user)
		return 0;
	if (al_parse_user(user, &spec->uid, &spec->gid, err) < 0)
		return al_err_prefix(err, "image %s: User", spec->image);
	return 0;
}

int al_spec_apply_image(struct al_spec *spec, const char *entrypoint, struct al_err *err)
{
	json_t *config = NULL;
	char **layers = NULL;
	if (al_image_resolve(spec->image, &spec->image_id, err) < 0 ||
	    al_image_lowerdirs(spec->image, &layers, &config, err) < 0)
		return -1;
	al_strv_free(spec->layers);
	spec->layers = layers;
	for (spec->n_layers = 0; layers[spec->n_layers]; spec->n_layers++)
		;
	apply_command(spec, entrypoint, config);
	apply_env(spec, config);
	const char *wd = json_string_value(json_object_get(config, "WorkingDir"));
	if (!spec->workdir && wd && wd[0] == '/')
		spec->workdir = al_xstrdup(wd);
	int r = apply_user(spec, config, err);
	json_decref(config);
	return r;
}
