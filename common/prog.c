/* prog.c - shared program conventions: message prefix, usage errors, signals, tty refusal. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"

volatile sig_atomic_t mb_stop_requested;
static const char *prog_name = "membench";

static void print_warning(const char *msg) { fprintf(stderr, "%s: warning: %s\n", prog_name, msg); }

void mb_prog_init(const char *name)
{
	prog_name = name;
	mb_set_warn_sink(print_warning);
}

const char *mb_prog_name(void) { return prog_name; }

void mb_msg(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog_name, line);
}

void mb_msg_err(const struct mb_err *err) { mb_msg("%s", err->msg); }

void mb_usage_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (try '%s --help')\n", prog_name, line, prog_name);
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
	printf("%s (membench) %s\n", prog_name, MB_VERSION);
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
