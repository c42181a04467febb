/* error.c: formatting of struct al_err.
 * Messages stay on one line: newlines from callers are replaced by spaces. */
#include "error.h"

#include <stdio.h>
#include <string.h>

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int al_err_set(struct al_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->errnum = errnum;
	one_line(err->msg);
	return -1;
}

int al_err_sys(struct al_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (errnum) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(errnum));
	}
	err->errnum = errnum;
	one_line(err->msg);
	return -1;
}

int al_err_prefix(struct al_err *err, const char *fmt, ...)
{
	char old[sizeof err->msg];
	va_list ap;
	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof old);
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	/* The context goes first; the old message fills what room is left. */
	if (n >= 0 && (size_t)n + 2 < sizeof err->msg) {
		memcpy(err->msg + n, ": ", 2);
		size_t room = sizeof err->msg - (size_t)n - 2;
		size_t len = strnlen(old, room - 1);
		memcpy(err->msg + n + 2, old, len);
		err->msg[n + 2 + len] = '\0';
	}
	one_line(err->msg);
	return -1;
}
