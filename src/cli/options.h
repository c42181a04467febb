/* options.h: the command line of `airlock run`, translated into a struct al_spec.
 * Docker's spellings; every value goes through parse.c, and the result through al_spec_validate. */
#pragma once

#include <stdio.h>

#include "error.h"
#include "spec.h"

/* Returned by al_cli_parse_run when -h/--help was given: print al_cli_run_usage and exit 0. */
#define AL_CLI_HELP 1

/* Parse `run [OPTIONS] [--] COMMAND [ARG...]`; argv[0] is "run". Options stop at the first non-option
 * or at "--"; the rest is copied into spec->argv. Applies the default environment (PATH, HOME, TERM,
 * LANG) for keys no -e/--env-file set, then validates the whole spec.
 * *spec must have been set up with al_spec_init; the caller frees it with al_spec_free whatever the
 * result. Returns 0, AL_CLI_HELP, or -1 with a one-line *err ("unknown flag: --foo"). */
int al_cli_parse_run(int argc, char **argv, struct al_spec *spec, struct al_err *err);

/* The complete --help text of `airlock run`, one line per option. */
void al_cli_run_usage(FILE *out);
