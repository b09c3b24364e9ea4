// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log: error messages on stderr, in one form for every tool:
 *
 *	plumb-bridge: add veth pl1a2b3c to bridge plumb0: File exists (kernel: ...)
 *
 * An error is logged once, by the function that knows what was being done;
 * its callers only pass the -errno up. The last message is also kept, without
 * the program name, so that the CNI front end can put it in its error object.
 *
 * A failure that is only a try (is this file a namespace? does this record
 * parse?) is not decided where it happens: the *_try() forms of such
 * functions log nothing and hand the message back as a value, a struct
 * log_msg, which the caller reports (log_msg_report()), quotes in a message
 * of its own, or drops (passing NULL).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>

static const char *log_name = "plumb";
static int log_muted;
static char log_buf[LOG_MSG_MAX];
static int log_errno_last;

/**
 * log_init() - set the program name that prefixes every message
 * @prog: the name, usually the basename of argv[0]
 */
void log_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');

	log_name = slash ? slash + 1 : prog;
}

/**
 * log_prog() - the program name set by log_init()
 */
const char *log_prog(void)
{
	return log_name;
}

/**
 * log_test_mute() - for unit tests and fuzzers only: keep messages without
 * printing them
 * @mute:	non-zero to stop printing to stderr, 0 to print again
 *
 * A test asserts on log_last() without filling its output with the messages
 * it provokes on purpose. The tools never call this ("make lint" checks it):
 * what they do not want to log, they try with a *_try() form.
 */
void log_test_mute(int mute)
{
	log_muted = mute;
}

/*
 * A message cut to fit may end inside a UTF-8 character quoted from the
 * input; drop that half character, so the message stays valid text.
 */
static void log_trim_utf8(char *s)
{
	size_t len = strlen(s), i = len, need;
	unsigned char lead;

	while (i > 0 && len - i < 4 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	if (lead < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

/* "what: strerror (kernel: why)" into @buf of LOG_MSG_MAX bytes. */
static void log_format(char *buf, int err, const char *why, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void log_format(char *buf, int err, const char *why, const char *fmt, va_list ap)
{
	size_t len;
	int n;

	n = vsnprintf(buf, LOG_MSG_MAX, fmt, ap);
	len = n < 0 ? 0 : (size_t)n >= LOG_MSG_MAX ? LOG_MSG_MAX - 1 : (size_t)n;
	if (err)
		len += snprintf(buf + len, LOG_MSG_MAX - len, ": %s", strerror(-err));
	if (why && *why && len < LOG_MSG_MAX)
		snprintf(buf + len, LOG_MSG_MAX - len, " (kernel: %s)", why);
	log_trim_utf8(buf);
}

/**
 * log_verr() - format, keep and print an error message
 * @err: negative errno whose text ends the message, or 0 for none
 * @why: further explanation (the kernel's extended ACK), or NULL
 * @fmt: what was being done, to what
 * @ap: arguments for @fmt
 *
 * Return: @err, so that callers can write "return log_err(ret, ...)".
 */
int log_verr(int err, const char *why, const char *fmt, va_list ap)
{
	log_format(log_buf, err, why, fmt, ap);
	log_errno_last = err;
	if (!log_muted)
		fprintf(stderr, "%s: %s\n", log_name, log_buf);
	return err;
}

/**
 * log_err() - report a failure
 * @err: negative errno, or 0 when the message says all
 * @fmt: what was being done, to what (and why, when @err is 0)
 *
 * Return: @err
 */
int log_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verr(err, NULL, fmt, ap);
	va_end(ap);
	return err;
}

/**
 * log_errx() - report a failure that the message explains in full
 * @err:	negative errno to return; its text is not printed
 * @fmt:	what is wrong: "network namespace "a" already exists"
 *
 * Return: @err
 */
int log_errx(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verr(0, NULL, fmt, ap);
	va_end(ap);
	log_errno_last = err;
	return err;
}

/**
 * log_err_why() - report a failure with the kernel's own explanation
 * @err: negative errno
 * @why: the extended ACK message, or NULL or "" when the kernel gave none
 * @fmt: what was being done, to what
 *
 * Return: @err
 */
int log_err_why(int err, const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verr(err, why, fmt, ap);
	va_end(ap);
	return err;
}

/* "prog: what: message", unless quiet */
static void log_vsay(const char *what, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void log_vsay(const char *what, const char *fmt, va_list ap)
{
	if (log_muted)
		return;
	fprintf(stderr, "%s: %s: ", log_name, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/**
 * log_warn() - report something that did not stop the work
 * @fmt: the message
 */
void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vsay("warning", fmt, ap);
	va_end(ap);
}

/**
 * log_notice() - tell the user of something plumb did that they should know
 * of, outside what they asked (a rule put in another firewall's chain)
 * @fmt: the message
 */
void log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vsay("notice", fmt, ap);
	va_end(ap);
}

/**
 * log_last() - the last error message, without the program name
 *
 * Return: the message, or "" when nothing failed since log_clear().
 */
const char *log_last(void)
{
	return log_buf;
}

/**
 * log_last_errno() - the negative errno of the last error message
 */
int log_last_errno(void)
{
	return log_errno_last;
}

/**
 * log_clear() - forget the last error
 */
void log_clear(void)
{
	log_buf[0] = '\0';
	log_errno_last = 0;
}

/**
 * log_msg_err() - fill an error value instead of logging it
 * @m:		the value, or NULL to drop the message
 * @err:	negative errno whose text ends the message, or 0 for none
 * @fmt:	what was being done, to what
 *
 * For the *_try() forms: the message is what log_err() would have printed.
 *
 * Return: @err
 */
int log_msg_err(struct log_msg *m, int err, const char *fmt, ...)
{
	va_list ap;

	if (!m)
		return err;
	va_start(ap, fmt);
	log_format(m->text, err, NULL, fmt, ap);
	va_end(ap);
	m->err = err;
	return err;
}

/**
 * log_msg_errx() - fill an error value that its message explains in full
 * @m:		the value, or NULL to drop the message
 * @err:	negative errno to return; its text is not part of the message
 * @fmt:	what is wrong
 *
 * Return: @err
 */
int log_msg_errx(struct log_msg *m, int err, const char *fmt, ...)
{
	va_list ap;

	if (!m)
		return err;
	va_start(ap, fmt);
	log_format(m->text, 0, NULL, fmt, ap);
	va_end(ap);
	m->err = err;
	return err;
}

/**
 * log_msg_report() - log an error value, as if its try had logged it
 * @m:		the value a *_try() function filled
 *
 * Return: @m->err
 */
int log_msg_report(const struct log_msg *m)
{
	snprintf(log_buf, sizeof(log_buf), "%s", m->text);
	log_errno_last = m->err;
	if (!log_muted)
		fprintf(stderr, "%s: %s\n", log_name, log_buf);
	return m->err;
}
