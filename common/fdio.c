/* fdio.c - opening inputs and writing whole buffers, with the project's error conventions. */
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

int mb_open_input(const char *name, struct mb_err *err)
{
	if (!strcmp(name, "-"))
		return 0;
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		mb_err_set(err, MB_EIO, "cannot open input: %s: '%s'", strerror(errno), name);
	return fd;
}

const char *mb_input_name(const char *arg) { return strcmp(arg, "-") ? arg : "<stdin>"; }

/* Write all n bytes; on failure the bytes written so far are in *done. */
static int write_all(int fd, const void *p, size_t n, size_t *done, const char **why)
{
	while (*done < n) {
		ssize_t w = write(fd, (const char *)p + *done, n - *done);
		if (w > 0)
			*done += (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else if (w < 0 && errno == EPIPE)
			return MB_EPIPE;
		else
			return *why = w < 0 ? strerror(errno) : "no progress", MB_EIO;
	}
	return MB_OK;
}

int mb_write_all(int fd, const void *p, size_t n, const char *what, struct mb_err *err)
{
	size_t done = 0;
	const char *why;
	int rc = write_all(fd, p, n, &done, &why);
	if (rc == MB_EIO)
		mb_err_set(err, rc, "write error: %s: '%s'", why, what);
	return rc;
}

int mb_write_all_at(int fd, const void *p, size_t n, const char *what, unsigned long long at, struct mb_err *err)
{
	size_t done = 0;
	const char *why;
	int rc = write_all(fd, p, n, &done, &why);
	if (rc == MB_EIO)
		mb_err_set(err, rc, "write error: %s: '%s' at byte %llu", why, what, at + done);
	return rc;
}

#define PIPE_BYTES (1 << 20)

void mb_grow_pipe(int fd)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < PIPE_BYTES)
		fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES); /* best effort: an unprivileged limit just keeps the default */
}

