/* run.c: `airlock run`: parse options into a spec, run it, report how it ended.
 * The exit status is docker's: the command's own, 125 airlock's error, 126/127, 128+signal. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "launch.h"
#include "monitor.h"
#include "options.h"
#include "verbs.h"

static int write_json(const struct al_spec *spec, const struct al_result *res)
{
	if (!spec->json_path) {
		al_result_write_json(res, stderr);
		return 0;
	}
	FILE *f = fopen(spec->json_path, "we");
	if (!f) {
		fprintf(stderr, "airlock: --json %s: %s\n", spec->json_path, strerror(errno));
		return -1;
	}
	al_result_write_json(res, f);
	fclose(f);
	return 0;
}

/* run -d: create, then start under a monitor; print the id. */
static int run_detached(struct al_spec *spec, const struct al_cli_extra *x)
{
	struct al_box b;
	struct al_err err = {0};
	int status = al_cli_create_box(spec, x, &b);
	if (status)
		return status;
	if (al_monitor_start(&b, &err) < 0) {
		fprintf(stderr, "airlock: %s\n", err.msg);
		status = err.errnum == ENOENT	? AL_EXIT_NOT_FOUND
			 : err.errnum == EACCES ? AL_EXIT_CANNOT_EXEC
						: AL_EXIT_ERROR;
		struct al_err ignored;
		if (x->rm || !x->rm_given)
			(void)al_box_remove(
			    &b, &ignored); /* docker keeps a failed container; nothing to keep here */
	} else {
		printf("%s\n", b.id);
	}
	al_box_free(&b);
	return status;
}

/* run --name in the foreground: reachable by exec while it runs, removed when it ends. */
static int run_named(struct al_spec *spec, struct al_result *res, struct al_err *err)
{
	struct al_box b;
	struct al_cli_extra x = {.verb = AL_CLI_RUN, .rm = true};
	int status = al_cli_create_box(spec, &x, &b);
	if (status)
		return -status;
	int r = al_monitor_run_here(&b, spec, res, err);
	al_box_free(&b);
	return r;
}

int al_verb_run(int argc, char **argv)
{
	struct al_spec spec;
	struct al_err err = {0};
	struct al_result res;
	struct al_cli_extra x = {.verb = AL_CLI_RUN};
	al_spec_init(&spec);
	int r = al_cli_parse(argc, argv, &spec, &x, &err), status;
	if (r == AL_CLI_HELP) {
		al_cli_run_usage(stdout);
		status = 0;
	} else if (r < 0) {
		status = al_cli_fail(&err);
	} else if (x.detach) {
		status = run_detached(&spec, &x);
	} else {
		r = spec.name ? run_named(&spec, &res, &err) : al_run(&spec, &res, &err);
		if (r < -1) {
			status = -r; /* printed already */
		} else if (r < 0) {
			fprintf(stderr, "airlock: %s\n", err.msg);
			status = AL_EXIT_ERROR;
		} else {
			status = al_result_exit_status(&res);
			if (spec.json && write_json(&spec, &res) < 0)
				status = AL_EXIT_ERROR;
		}
	}
	al_cli_extra_free(&x);
	al_spec_free(&spec);
	return status;
}
