/* prog.c - shared program conventions: message prefix, usage errors, signals, tty refusal. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"

volatile sig_atomic_t mb_stop_requested;

/*
 * Print "prog: <prefix><text><suffix>" as exactly one line: a control byte in the
 * text (a newline in a file name, in a libpcap or zstd message) becomes '?'.
 */
static void print_line(const char *prefix, char *text, const char *suffix)
{
	for (char *c = text; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "%s: %s%s%s\n", mb_prog_name(), prefix, text, suffix);
}

/* The one line for stdio's stdout that could not be written (e: errno, 0 when unknown). */
static void stdout_failed(int e)
{
	fprintf(stderr, "%s: write error: %s: 'stdout'\n", mb_prog_name(), e ? strerror(e) : "output failed");
}

/* At exit: data written through stdio (--version) that could not be written is an error too. */
static void check_stdout(void)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return;
	if (errno == EPIPE)
		return;
	stdout_failed(errno);
	_exit(MB_EXIT_DATA);
}

int mb_print_help(const char *text)
{
	/* at once: a text longer than stdio's buffer fails inside fputs, and only there is
	   errno the cause */
	errno = 0;
	if (fputs(text, stdout) != EOF && fflush(stdout) == 0)
		return MB_EXIT_OK;
	int e = errno;
	clearerr(stdout); /* reported here, not again at exit */
	if (e == EPIPE)
		return MB_EXIT_OK;
	stdout_failed(e);
	return MB_EXIT_DATA;
}

void mb_prog_init(void) { atexit(check_stdout); }

/* glibc sets program_invocation_short_name from argv[0] before main (_GNU_SOURCE, errno.h). */
const char *mb_prog_name(void) { return program_invocation_short_name; }

void mb_msg(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	print_line("", line, "");
}

void mb_msg_err(const struct mb_err *err) { mb_msg("%s", err->msg); }

void mb_warn(const char *fmt, ...)
{
	char line[MB_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	print_line("warning: ", line, "");
}

void mb_usage_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	char hint[64];
	snprintf(hint, sizeof hint, " (try '%s --help')", mb_prog_name());
	print_line("", line, hint);
	exit(MB_EXIT_USAGE);
}

void mb_usage_bad_option(char **argv)
{
	extern int optind, optopt;
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	if (optopt && arg[0] == '-' && arg[1] != '-' && strchr(arg + 1, optopt) && arg[strlen(arg) - 1] == optopt)
		mb_usage_error("unknown option or missing argument: '-%c'", optopt);
	mb_usage_error("unknown option or missing argument: '%s'", arg);
}

void mb_print_version(void)
{
	printf("%s (membench) %s\n", mb_prog_name(), MB_VERSION);
	exit(MB_EXIT_OK);
}

static void on_stop(int sig)
{
	(void)sig;
	mb_stop_requested = 1;
}

void mb_prog_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool mb_binary_output_ok(int fd)
{
	if (isatty(fd)) {
		mb_msg("refusing to write binary data to a terminal: 'stdout' (redirect it to a file or a pipe)");
		return false;
	}
	return true;
}

int mb_exit_code(int rc)
{
	switch (rc) {
	case MB_OK:
	case MB_END:
	case MB_EPIPE:
		return MB_EXIT_OK;
	default:
		return MB_EXIT_DATA;
	}
}
