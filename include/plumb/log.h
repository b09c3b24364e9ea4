/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log: error messages on stderr, "prog: what was being done: why". */
#ifndef PLUMB_LOG_H
#define PLUMB_LOG_H

#include <stdarg.h>

#define LOG_MSG_MAX 512

void log_init(const char *prog);
const char *log_prog(void);
void log_test_mute(int mute);

int log_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_errx(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_err_why(int err, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int log_verr(int err, const char *why, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * struct log_msg - an error as a value, for a failure that is only a try
 * @err:	negative errno, or 0 while nothing failed
 * @text:	the message, as log_err() would print it, without the program name
 *
 * A function named *_try() never logs: on failure it fills the log_msg its
 * caller gave it (nothing, for NULL), and the caller decides what to say.
 */
struct log_msg {
	int err;
	char text[LOG_MSG_MAX];
};

int log_msg_err(struct log_msg *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int log_msg_errx(struct log_msg *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int log_msg_report(const struct log_msg *m);

const char *log_last(void);
int log_last_errno(void);
void log_clear(void);

#endif
