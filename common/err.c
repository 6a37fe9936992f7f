/* err.c - filling error buffers. */
#include <stdio.h>

#include "err.h"

int mb_err_vset(struct mb_err *err, int rc, const char *fmt, va_list ap)
{
	if (err)
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return rc;
}

int mb_err_set(struct mb_err *err, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mb_err_vset(err, rc, fmt, ap);
	va_end(ap);
	return rc;
}

int mb_err_at(struct mb_err *err, const char *name, unsigned long long offset)
{
	struct mb_err what = *err; /* the message must not be its own printf argument */
	return mb_err_set(err, MB_ERR, "%s: '%s' at byte %llu", what.msg, name, offset);
}

int mb_err_at_line(struct mb_err *err, const char *name, unsigned long long line)
{
	struct mb_err what = *err;
	return mb_err_set(err, MB_ERR, "%s: '%s' line %llu", what.msg, name, line);
}
