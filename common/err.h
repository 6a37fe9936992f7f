/* err.h - error buffers filled by library code, and the library's return codes. */
#ifndef MB_ERR_H
#define MB_ERR_H

#include <stdarg.h>

/* Return codes of common/ functions. Library code never prints (but mb_warn, prog.h) or exits. */
enum mb_rc {
	MB_OK = 0,     /* done */
	MB_END = 1,    /* clean end of input */
	MB_ERR = -1,   /* bad data or bad argument; err says what and where */
	MB_EIO = -2,   /* system error (read, write, open); err says which */
	MB_EPIPE = -3, /* the output's reader went away: end quietly */
};

#define MB_ERR_MAX 512

/* What went wrong, as one line without program name or newline. */
struct mb_err {
	char msg[MB_ERR_MAX];
};

/* Fill err (if not NULL) with a printf-style message; returns `rc` for tail calls. */
int mb_err_set(struct mb_err *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int mb_err_vset(struct mb_err *err, int rc, const char *fmt, va_list ap);
/* Append where the error happened: "<msg>: 'name' at byte N"; returns MB_ERR. */
int mb_err_at(struct mb_err *err, const char *name, unsigned long long offset);
/* Append "<msg>: 'name' line N"; returns MB_ERR. */
int mb_err_at_line(struct mb_err *err, const char *name, unsigned long long line);

#endif
