/* error.h: the one error convention of libairlock.
 * A function that can fail returns a negative int and fills a struct al_err; the library never exits. */
#pragma once

#include <stdarg.h>

/* Exit statuses of the CLI, as docker's. */
enum {
	AL_EXIT_ERROR = 125, /* airlock itself failed or the input was bad */
	AL_EXIT_CANNOT_EXEC = 126,
	AL_EXIT_NOT_FOUND = 127,
};

struct al_err {
	int errnum;	/* errno of the failure, 0 when it is not a system error */
	char msg[1024]; /* one line, names the object: "volume source /x: No such file or directory" */
};

/* Fill *err with the formatted message and return -1. Never touches errno of the caller's choice. */
int al_err_set(struct al_err *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* As al_err_set, with ": strerror(errnum)" appended when errnum is non-zero. */
int al_err_sys(struct al_err *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix the existing message with a context: "ctx: old message". Returns -1. */
int al_err_prefix(struct al_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
