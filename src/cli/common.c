/* common.c: error printing and option parsing shared by the sandbox verbs. */
#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int al_cli_fail(const struct al_err *err)
{
	if (strncmp(err->msg, "No such ", 8) == 0) {
		fprintf(stderr, "Error: %s\n", err->msg);
		return AL_EXIT_NO_SUCH;
	}
	fprintf(stderr, "airlock: %s\n", err->msg);
	return AL_EXIT_ERROR;
}

int al_cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "airlock: %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'airlock %s --help')\n", verb);
	return AL_EXIT_ERROR;
}

int al_cli_getopt(int argc, char **argv, const char *verb, const char *shorts, const struct option *longs)
{
	int before = optind ? optind : 1, index = -1;
	opterr = 0;
	int r = getopt_long(argc, argv, shorts, longs, &index);
	if (r == '?' || r == ':') {
		const char *w = before < argc ? argv[before] : "";
		if (strncmp(w, "--", 2) == 0)
			fprintf(stderr, "airlock: %s: %s: %.*s (see 'airlock %s --help')\n", verb,
				r == ':' ? "flag needs an argument" : "unknown flag", (int)strcspn(w, "="), w,
				verb);
		else
			fprintf(stderr, "airlock: %s: %s: -%c (see 'airlock %s --help')\n", verb,
				r == ':' ? "flag needs an argument" : "unknown flag", optopt, verb);
		return '?';
	}
	if (index >= 0 && before < argc && strncmp(argv[before], "--", 2) == 0 &&
	    strcspn(argv[before] + 2, "=") != strlen(longs[index].name)) {
		fprintf(stderr, "airlock: %s: unknown flag: %.*s (see 'airlock %s --help')\n", verb,
			(int)strcspn(argv[before], "="), argv[before], verb);
		return '?';
	}
	return r;
}

int al_cli_find(const char *ref, struct al_box *b)
{
	struct al_err err = {0};
	if (al_box_find(ref, b, &err) < 0)
		return al_cli_fail(&err);
	return 0;
}
