/* run.c: `airlock run`: parse options into a spec, run it, report how it ended.
 * The exit status is docker's: the command's own, 125 airlock's error, 126/127, 128+signal. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "launch.h"
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

int al_verb_run(int argc, char **argv)
{
	struct al_spec spec;
	struct al_err err = {0};
	struct al_result res;
	al_spec_init(&spec);
	int r = al_cli_parse_run(argc, argv, &spec, &err);
	if (r == AL_CLI_HELP) {
		al_cli_run_usage(stdout);
		al_spec_free(&spec);
		return 0;
	}
	if (r < 0 || al_run(&spec, &res, &err) < 0) {
		fprintf(stderr, "airlock: %s\n", err.msg);
		al_spec_free(&spec);
		return AL_EXIT_ERROR;
	}
	int status = al_result_exit_status(&res);
	if (spec.json && write_json(&spec, &res) < 0)
		status = AL_EXIT_ERROR;
	al_spec_free(&spec);
	return status;
}
