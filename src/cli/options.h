/* options.h: the command line of `airlock run`, translated into a struct al_spec.
 * Docker's spellings; every value goes through parse.c, and the result through al_spec_validate. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "spec.h"

/* Returned by al_cli_parse_run when -h/--help was given: print al_cli_run_usage and exit 0. */
#define AL_CLI_HELP 1

enum al_cli_verb { AL_CLI_RUN, AL_CLI_CREATE };

/* What the command line asks beyond the spec. */
struct al_cli_extra {
	enum al_cli_verb verb;
	bool detach;	       /* run -d */
	bool rm, rm_given;     /* --rm */
	char *entrypoint;      /* --entrypoint */
	bool entrypoint_given; /* (--entrypoint "" clears the image's) */
};

/* Parse `run|create [OPTIONS] [IMAGE] [--] [COMMAND [ARG...]]` (see pick_image in options.c for how
 * IMAGE is told from COMMAND). An image fills the root, and its config the command, environment,
 * workdir and user the flags left unset. Free *x with al_cli_extra_free whatever the result. */
int al_cli_parse(int argc, char **argv, struct al_spec *spec, struct al_cli_extra *x, struct al_err *err);
void al_cli_extra_free(struct al_cli_extra *x);

/* Parse `run [OPTIONS] [--] COMMAND [ARG...]`; argv[0] is "run". Options stop at the first non-option
 * or at "--"; the rest is copied into spec->argv. Applies the default environment (PATH, HOME, TERM,
 * LANG) for keys no -e/--env-file set, then validates the whole spec.
 * *spec must have been set up with al_spec_init; the caller frees it with al_spec_free whatever the
 * result. Returns 0, AL_CLI_HELP, or -1 with a one-line *err ("unknown flag: --foo"). */
int al_cli_parse_run(int argc, char **argv, struct al_spec *spec, struct al_err *err);

/* The complete --help text of `airlock run`, one line per option. */
void al_cli_run_usage(FILE *out);
void al_cli_usage(FILE *out, enum al_cli_verb verb);
