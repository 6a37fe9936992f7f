/* prog.h - conventions every membench program shares: messages, exit codes, signals, stdout. */
#ifndef MB_PROG_H
#define MB_PROG_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "err.h"

/* Exit codes, documented in every manual. */
enum mb_exit {
	MB_EXIT_OK = 0,    /* success, or stdout closed by its reader (EPIPE) */
	MB_EXIT_DATA = 1,  /* bad input data or a runtime failure */
	MB_EXIT_USAGE = 2, /* bad command line */
};

#define MB_VERSION "0.1.0"

/* Set when SIGINT or SIGTERM arrived (after mb_prog_signals()). */
extern volatile sig_atomic_t mb_stop_requested;

/*
 * Check at exit that stdio's stdout was written (else a message and exit 1; EPIPE
 * stays quiet).
 */
void mb_prog_init(void);
/* Write a --help text to stdout now. MB_EXIT_OK, also when the reader closed it (EPIPE);
   MB_EXIT_DATA after one line naming the cause of a failed write. */
int mb_print_help(const char *text);
/* The program name, the prefix of every message: the name it was started by (argv[0]'s last part). */
const char *mb_prog_name(void);

/* "prog: message" on stderr, always one line (control bytes in it are shown as '?'). */
void mb_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "prog: <err>" on stderr. */
void mb_msg_err(const struct mb_err *err);
/*
 * "prog: warning: message" on stderr, one line as mb_msg: what library code reports
 * that the user must know but that is not an error (a cut-short profile, raw keys).
 */
void mb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage error and the hint to --help; exits 2. */
_Noreturn void mb_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * For getopt_long's '?' (set opterr = 0 first): a usage error naming the bad
 * option or the option missing its argument; exits 2.
 */
_Noreturn void mb_usage_bad_option(char **argv);
/* Print "prog membench VERSION" on stdout and exit 0. */
_Noreturn void mb_print_version(void);

/*
 * Install the standard handlers: SIGINT/SIGTERM set mb_stop_requested (no
 * SA_RESTART, so a blocking read returns EINTR), SIGPIPE ignored so writes
 * report EPIPE.
 */
void mb_prog_signals(void);

/* Refuse binary output on a terminal: false (and a message printed) when fd is a tty. */
bool mb_binary_output_ok(int fd);

/* Map a library rc to an exit code (EPIPE -> 0). */
int mb_exit_code(int rc);

#endif
