/* common.h: what the CLI's verbs share: printing an error the way docker clients match it, and a
 * small getopt wrapper that gives one-line errors and refuses abbreviated long flags. */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "error.h"
#include "store.h"

/* docker exits 1 for an unknown container or image, and clients match its words. */
#define AL_EXIT_NO_SUCH 1

/* Print err as airlock's one line ("Error: No such container: X" for a missing object) and return
 * the exit status for it. */
int al_cli_fail(const struct al_err *err);
/* A usage error of `verb`: one line, exit status 125. */
int al_cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long with airlock's rules; returns the option, -1 at the end, '?' after printing an error. */
int al_cli_getopt(int argc, char **argv, const char *verb, const char *shorts, const struct option *longs);
/* Find a sandbox or print docker's error; returns 0 or the exit status. */
int al_cli_find(const char *ref, struct al_box *b);

struct al_spec;
struct al_cli_extra;
/* Register the sandbox of a parsed run/create command line (sandbox.c). Returns 0, or the exit
 * status with the error printed. */
int al_cli_create_box(struct al_spec *spec, const struct al_cli_extra *x, struct al_box *b);
