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
