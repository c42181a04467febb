/* check.h: the unit tests' only assertion helper: count checks and failures, print file:line on failure.
 * Each test binary includes it once; CHECK_DONE() in main turns the count into the exit status. */
#pragma once

#include <stdio.h>
#include <string.h>

#include "error.h"

static int check_total, check_failed;

static inline void check_fail(const char *file, int line, const char *what, const char *detail)
{
	check_failed++;
	fprintf(stderr, "%s:%d: FAILED: %s%s%s\n", file, line, what, detail ? ": " : "",
		detail ? detail : "");
}

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		check_total++;                                                                               \
		if (!(cond))                                                                                 \
			check_fail(__FILE__, __LINE__, #cond, NULL);                                         \
	} while (0)

static inline void check_int(const char *file, int line, const char *expr, long long got, long long want)
{
	check_total++;
	if (got != want) {
		check_failed++;
		fprintf(stderr, "%s:%d: FAILED: %s: got %lld, want %lld\n", file, line, expr, got, want);
	}
}

static inline void check_str(const char *file, int line, const char *expr, const char *got, const char *want)
{
	check_total++;
	if (got && want ? strcmp(got, want) != 0 : got != want) {
		check_failed++;
		fprintf(stderr, "%s:%d: FAILED: %s: got \"%s\", want \"%s\"\n", file, line, expr,
			got ? got : "(null)", want ? want : "(null)");
	}
}

/* Integers of any width, compared and printed as long long. */
#define CHECK_INT(got, want)                                                                                 \
	check_int(__FILE__, __LINE__, #got " == " #want, (long long)(got), (long long)(want))
#define CHECK_STR(got, want) check_str(__FILE__, __LINE__, #got " == " #want, (got), (want))

/* The call succeeded; on failure print the error it reported. */
#define CHECK_OK(call, errp)                                                                                 \
	do {                                                                                                 \
		(errp)->msg[0] = '\0';                                                                       \
		check_total++;                                                                               \
		if ((call) != 0)                                                                             \
			check_fail(__FILE__, __LINE__, #call, (errp)->msg);                                  \
	} while (0)

/* The call failed with -1 and a one-line message containing `needle` (the offending text). */
#define CHECK_FAILS(call, errp, needle)                                                                      \
	do {                                                                                                 \
		(errp)->msg[0] = '\0';                                                                       \
		check_total++;                                                                               \
		int check_r_ = (call);                                                                       \
		if (check_r_ != -1)                                                                          \
			check_fail(__FILE__, __LINE__, #call " should fail", NULL);                          \
		else if (!strstr((errp)->msg, (needle)) || strchr((errp)->msg, '\n'))                        \
			check_fail(__FILE__, __LINE__, #call " message should contain \"" needle "\"",       \
				   (errp)->msg);                                                             \
	} while (0)

#define CHECK_DONE()                                                                                         \
	do {                                                                                                 \
		fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, check_total, check_failed);          \
		return check_failed ? 1 : 0;                                                                 \
	} while (0)
