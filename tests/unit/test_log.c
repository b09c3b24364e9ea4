// SPDX-License-Identifier: GPL-2.0-or-later
/* test_log: error messages, their last copy and their errno (lib/log.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <plumb/log.h>

static int setup(void **state)
{
	(void)state;
	log_test_mute(1);
	log_clear();
	return 0;
}

/* What @fn prints on stderr, captured in a temporary file. */
static void capture_stderr(void (*fn)(void), char *out, size_t size)
{
	FILE *tmp = tmpfile();
	size_t n;
	int saved;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, size - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void test_log_err_appends_strerror(void **state)
{
	(void)state;
	assert_int_equal(log_err(-ENOENT, "open %s", "/x"), -ENOENT);
	assert_string_equal(log_last(), "open /x: No such file or directory");
	assert_int_equal(log_last_errno(), -ENOENT);
}

static void test_log_err_with_zero_appends_nothing(void **state)
{
	(void)state;
	assert_int_equal(log_err(0, "nothing to %s", "do"), 0);
	assert_string_equal(log_last(), "nothing to do");
	assert_int_equal(log_last_errno(), 0);
}

static void test_log_errx_does_not_append_strerror(void **state)
{
	(void)state;
	assert_int_equal(log_errx(-EEXIST, "network namespace \"%s\" already exists",
				  "a"),
			 -EEXIST);
	assert_string_equal(log_last(), "network namespace \"a\" already exists");
	assert_int_equal(log_last_errno(), -EEXIST);
}

static void test_log_err_why_adds_kernel_explanation(void **state)
{
	(void)state;
	assert_int_equal(log_err_why(-EEXIST, "Link exists", "add veth %s", "pl0"),
			 -EEXIST);
	assert_string_equal(log_last(),
			    "add veth pl0: File exists (kernel: Link exists)");
	assert_int_equal(log_last_errno(), -EEXIST);
}

static void test_log_err_why_without_explanation_has_no_kernel_part(void **state)
{
	(void)state;
	log_err_why(-EPERM, NULL, "add route");
	assert_string_equal(log_last(), "add route: Operation not permitted");
	log_err_why(-EPERM, "", "add route");
	assert_string_equal(log_last(), "add route: Operation not permitted");
}

static void test_log_clear_forgets_last_error(void **state)
{
	(void)state;
	log_err(-EIO, "write");
	assert_string_not_equal(log_last(), "");
	log_clear();
	assert_string_equal(log_last(), "");
	assert_int_equal(log_last_errno(), 0);
}

static void test_log_last_keeps_only_latest(void **state)
{
	(void)state;
	log_err(-EIO, "first");
	log_errx(-EINVAL, "second");
	assert_string_equal(log_last(), "second");
	assert_int_equal(log_last_errno(), -EINVAL);
}

static void test_log_long_message_is_truncated_and_terminated(void **state)
{
	char *big = malloc(2 * LOG_MSG_MAX);

	(void)state;
	assert_non_null(big);
	memset(big, 'm', 2 * LOG_MSG_MAX - 1);
	big[2 * LOG_MSG_MAX - 1] = '\0';

	log_errx(-EINVAL, "%s", big);
	assert_int_equal(strlen(log_last()), LOG_MSG_MAX - 1);
	assert_int_equal(log_last_errno(), -EINVAL);

	/* No room left for the errno text or the kernel's explanation. */
	log_err_why(-ENOENT, "why", "%s", big);
	assert_int_equal(strlen(log_last()), LOG_MSG_MAX - 1);
	assert_null(strchr(log_last(), ':'));
	assert_int_equal(log_last_errno(), -ENOENT);
	free(big);
}

static void test_log_message_cut_in_errno_text_stays_terminated(void **state)
{
	char fill[LOG_MSG_MAX];
	size_t n = LOG_MSG_MAX - 10;

	(void)state;
	memset(fill, 'm', n);
	fill[n] = '\0';
	log_err_why(-ENOENT, "why", "%s", fill);
	assert_int_equal(strlen(log_last()), LOG_MSG_MAX - 1);
	assert_memory_equal(log_last() + n, ": No such", 9);
	assert_null(strstr(log_last(), "(kernel"));
}

static void test_log_message_cut_in_kernel_text_stays_terminated(void **state)
{
	char fill[LOG_MSG_MAX];
	size_t n = LOG_MSG_MAX - 40; /* ": No such file or directory" is 27 */

	(void)state;
	memset(fill, 'm', n);
	fill[n] = '\0';
	log_err_why(-ENOENT, "a long explanation from the kernel", "%s", fill);
	assert_int_equal(strlen(log_last()), LOG_MSG_MAX - 1);
	assert_string_equal(log_last() + n, ": No such file or directory (kernel: a ");
}

static void quiet_error(void)
{
	log_test_mute(1);
	log_errx(-EINVAL, "kept");
}

static void test_log_test_mute_keeps_message_without_printing(void **state)
{
	char out[256];

	(void)state;
	capture_stderr(quiet_error, out, sizeof(out));
	assert_string_equal(out, "");
	assert_string_equal(log_last(), "kept");
}

static void loud_error(void)
{
	log_init("/usr/sbin/plumb-test");
	log_test_mute(0);
	log_err(-ENOENT, "open %s", "/x");
	log_test_mute(1);
}

static void test_log_prints_program_name_and_message(void **state)
{
	char out[256];

	(void)state;
	capture_stderr(loud_error, out, sizeof(out));
	assert_string_equal(out, "plumb-test: open /x: No such file or directory\n");
	assert_string_equal(log_prog(), "plumb-test");
	assert_string_equal(log_last(), "open /x: No such file or directory");
}

static void loud_warning(void)
{
	log_init("plumb-test");
	log_test_mute(0);
	log_warn("lease of %s kept", "10.0.0.2");
	log_test_mute(1);
}

static void test_log_warn_prints_but_is_no_error(void **state)
{
	char out[256];

	(void)state;
	log_errx(-EINVAL, "the error");
	capture_stderr(loud_warning, out, sizeof(out));
	assert_string_equal(out, "plumb-test: warning: lease of 10.0.0.2 kept\n");
	assert_string_equal(log_last(), "the error");
	assert_int_equal(log_last_errno(), -EINVAL);
}

static struct log_msg tried;

static void try_error(void)
{
	log_init("plumb-test");
	log_test_mute(0);
	log_msg_err(&tried, -ENOENT, "open %s", "/x");
	log_test_mute(1);
}

static void test_log_msg_err_fills_the_value_and_prints_nothing(void **state)
{
	char out[256];

	(void)state;
	log_errx(-EINVAL, "the error");
	capture_stderr(try_error, out, sizeof(out));
	assert_string_equal(out, "");
	assert_string_equal(tried.text, "open /x: No such file or directory");
	assert_int_equal(tried.err, -ENOENT);
	/* The last error is still the last one logged. */
	assert_string_equal(log_last(), "the error");
	assert_int_equal(log_last_errno(), -EINVAL);
}

static void test_log_msg_errx_keeps_errno_out_of_the_text(void **state)
{
	struct log_msg m;

	(void)state;
	assert_int_equal(log_msg_errx(&m, -EEXIST, "\"%s\" already exists", "a"),
			 -EEXIST);
	assert_string_equal(m.text, "\"a\" already exists");
	assert_int_equal(m.err, -EEXIST);
}

static void test_log_msg_null_drops_the_message(void **state)
{
	(void)state;
	assert_int_equal(log_msg_err(NULL, -EIO, "write %s", "x"), -EIO);
	assert_int_equal(log_msg_errx(NULL, -EINVAL, "bad"), -EINVAL);
	assert_string_equal(log_last(), "");
}

static void report_error(void)
{
	struct log_msg m;

	log_init("plumb-test");
	log_test_mute(0);
	log_msg_err(&m, -ENOENT, "open %s", "/x");
	log_msg_report(&m);
	log_test_mute(1);
}

static void test_log_msg_report_prints_once_and_becomes_last(void **state)
{
	char out[256];

	(void)state;
	capture_stderr(report_error, out, sizeof(out));
	assert_string_equal(out, "plumb-test: open /x: No such file or directory\n");
	assert_string_equal(log_last(), "open /x: No such file or directory");
	assert_int_equal(log_last_errno(), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_log_err_appends_strerror, setup),
		cmocka_unit_test_setup(test_log_err_with_zero_appends_nothing, setup),
		cmocka_unit_test_setup(test_log_errx_does_not_append_strerror, setup),
		cmocka_unit_test_setup(test_log_err_why_adds_kernel_explanation, setup),
		cmocka_unit_test_setup(
			test_log_err_why_without_explanation_has_no_kernel_part, setup),
		cmocka_unit_test_setup(test_log_clear_forgets_last_error, setup),
		cmocka_unit_test_setup(test_log_last_keeps_only_latest, setup),
		cmocka_unit_test_setup(test_log_long_message_is_truncated_and_terminated,
				       setup),
		cmocka_unit_test_setup(
			test_log_message_cut_in_errno_text_stays_terminated, setup),
		cmocka_unit_test_setup(
			test_log_message_cut_in_kernel_text_stays_terminated, setup),
		cmocka_unit_test_setup(test_log_test_mute_keeps_message_without_printing,
				       setup),
		cmocka_unit_test_setup(test_log_prints_program_name_and_message, setup),
		cmocka_unit_test_setup(test_log_warn_prints_but_is_no_error, setup),
		cmocka_unit_test_setup(
			test_log_msg_err_fills_the_value_and_prints_nothing, setup),
		cmocka_unit_test_setup(test_log_msg_errx_keeps_errno_out_of_the_text,
				       setup),
		cmocka_unit_test_setup(test_log_msg_null_drops_the_message, setup),
		cmocka_unit_test_setup(test_log_msg_report_prints_once_and_becomes_last,
				       setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
