// SPDX-License-Identifier: GPL-2.0-or-later
/* test_names: checks of names and numbers given by users (netns, link, name, cmd). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <plumb/cmd.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/netns.h>

static int setup(void **state)
{
	(void)state;
	log_test_mute(1);
	return 0;
}

/* A string of @n copies of @c, in a buffer of @size bytes. */
static char *repeat(char *buf, size_t size, char c, size_t n)
{
	assert_true(n < size);
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void assert_last_contains(const char *want)
{
	if (!strstr(log_last(), want))
		fail_msg("message \"%s\" does not contain \"%s\"", log_last(), want);
}

static void test_netns_name_check_accepts_ordinary_names(void **state)
{
	char name[NETNS_NAME_MAX + 2];

	(void)state;
	assert_int_equal(netns_name_check("blue"), 0);
	assert_int_equal(netns_name_check("a.b-c_d"), 0);
	assert_int_equal(netns_name_check("..."), 0);
	assert_int_equal(netns_name_check(repeat(name, sizeof(name), 'n', 255)), 0);
}

static void test_netns_name_check_refuses_empty_dots_and_slash(void **state)
{
	(void)state;
	log_clear();
	assert_int_equal(netns_name_check(""), -EINVAL);
	assert_string_equal(log_last(), "invalid network namespace name \"\": empty");

	log_clear();
	assert_int_equal(netns_name_check("."), -EINVAL);
	assert_string_equal(log_last(), "invalid network namespace name \".\"");

	log_clear();
	assert_int_equal(netns_name_check(".."), -EINVAL);
	assert_string_equal(log_last(), "invalid network namespace name \"..\"");

	log_clear();
	assert_int_equal(netns_name_check("a/b"), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid network namespace name \"a/b\": contains '/'");
	assert_int_equal(log_last_errno(), -EINVAL);
}

static void test_netns_name_check_refuses_256_bytes(void **state)
{
	char name[NETNS_NAME_MAX + 2];

	(void)state;
	log_clear();
	assert_int_equal(netns_name_check(repeat(name, sizeof(name), 'n', 256)), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid network namespace name: longer than 255 bytes");
}

static void test_netns_spec_path_puts_names_under_run_netns(void **state)
{
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(netns_spec_path("blue", path, sizeof(path)), 0);
	assert_string_equal(path, "/run/netns/blue");
}

static void test_netns_spec_path_reads_pid(void **state)
{
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(netns_spec_path("pid:42", path, sizeof(path)), 0);
	assert_string_equal(path, "/proc/42/ns/net");
	assert_int_equal(netns_spec_path("pid:4194304", path, sizeof(path)), 0);
	assert_string_equal(path, "/proc/4194304/ns/net");
}

static void test_netns_spec_path_refuses_bad_pids(void **state)
{
	static const char *const bad[] = {
		"pid:0",
		"pid:x",
		"pid:-1",
		"pid:",
		"pid:42x",
		"pid:4194305",
		"pid:99999999999999999999",
	};
	char path[PATH_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		log_clear();
		if (netns_spec_path(bad[i], path, sizeof(path)) != -EINVAL)
			fail_msg("netns_spec_path(\"%s\") did not refuse it", bad[i]);
		assert_last_contains("invalid process id \"");
		assert_last_contains(bad[i] + 4);
	}
}

static void test_netns_spec_path_keeps_paths_as_given(void **state)
{
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(netns_spec_path("/var/run/netns/x", path, sizeof(path)), 0);
	assert_string_equal(path, "/var/run/netns/x");
	assert_int_equal(netns_spec_path("./ns", path, sizeof(path)), 0);
	assert_string_equal(path, "./ns");
	/* A path is a path even if it starts as a pid would. */
	assert_int_equal(netns_spec_path("pid:1/../x", path, sizeof(path)), 0);
	assert_string_equal(path, "pid:1/../x");
}

static void test_netns_spec_path_refuses_bad_names(void **state)
{
	char path[PATH_MAX];

	(void)state;
	log_clear();
	assert_int_equal(netns_spec_path("", path, sizeof(path)), -EINVAL);
	assert_last_contains("empty");
	assert_int_equal(netns_spec_path("..", path, sizeof(path)), -EINVAL);
}

static void test_netns_spec_path_too_long_for_buffer_is_enametoolong(void **state)
{
	char path[16];
	char spec[NETNS_NAME_MAX + 2];

	(void)state;
	/* "/proc/42/ns/net" is 15 bytes: fits in 16, not in 15. */
	assert_int_equal(netns_spec_path("pid:42", path, 16), 0);
	assert_string_equal(path, "/proc/42/ns/net");
	log_clear();
	assert_int_equal(netns_spec_path("pid:42", path, 15), -ENAMETOOLONG);
	assert_int_equal(log_last_errno(), -ENAMETOOLONG);
	assert_last_contains("network namespace \"pid:42");

	/* "/run/netns/" is 11 bytes: a 4-byte name fits, a 5-byte one does not. */
	assert_int_equal(netns_spec_path("abcd", path, sizeof(path)), 0);
	assert_int_equal(netns_spec_path("abcde", path, sizeof(path)), -ENAMETOOLONG);
	assert_int_equal(netns_spec_path("/a/b/c/d/e/f/g/h", path, sizeof(path)),
			 -ENAMETOOLONG);

	/* A long name is cut in the message, which stays whole. */
	log_clear();
	assert_int_equal(netns_spec_path(repeat(spec, sizeof(spec), 'n', 255), path,
					 sizeof(path)),
			 -ENAMETOOLONG);
	assert_true(strlen(log_last()) < 100);
	assert_last_contains("...\"");
}

static void test_nl_link_name_check_accepts_15_bytes(void **state)
{
	char name[32];

	(void)state;
	assert_int_equal(nl_link_name_check("eth0"), 0);
	assert_int_equal(nl_link_name_check("veth-a.b_c@d"), 0);
	assert_int_equal(nl_link_name_check("..."), 0);
	assert_int_equal(nl_link_name_check(repeat(name, sizeof(name), 'i', 15)), 0);
}

static void test_nl_link_name_check_refuses_16_bytes(void **state)
{
	char name[32];

	(void)state;
	log_clear();
	assert_int_equal(nl_link_name_check(repeat(name, sizeof(name), 'i', 16)),
			 -EINVAL);
	assert_last_contains("longer than 15 bytes");
}

static void test_nl_link_name_check_refuses_what_kernel_refuses(void **state)
{
	static const struct {
		const char *name;
		const char *why;
	} bad[] = {
		{ "", "invalid interface name \"\"" },
		{ ".", "invalid interface name \".\"" },
		{ "..", "invalid interface name \"..\"" },
		{ "a/b", "contains '/'" },
		{ "a:b", "contains ':'" },
		{ "a b", "contains white space" },
		{ "a\tb", "contains white space" },
		{ "a\nb", "contains white space" },
		{ "a\rb", "contains white space" },
		{ "a\vb", "contains white space" },
		{ "a\fb", "contains white space" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		log_clear();
		if (nl_link_name_check(bad[i].name) != -EINVAL)
			fail_msg("nl_link_name_check(\"%s\") did not refuse it",
				 bad[i].name);
		assert_last_contains(bad[i].why);
	}
}

/*
 * The kernel's dev_valid_name() uses the kernel's isspace(), whose Latin-1
 * table (lib/ctype.c) counts 0xa0 as white space: it refuses a name holding
 * byte 0xa0, e.g. U+00A0 NO-BREAK SPACE in UTF-8 ("\xc2\xa0"), and libcni's
 * ValidateInterfaceName refuses it too (unicode.IsSpace). The user gets a
 * sentence, not the kernel's bare "Invalid argument".
 */
static void test_nl_link_name_check_refuses_no_break_space(void **state)
{
	(void)state;
	assert_int_equal(nl_link_name_check("a\xc2\xa0"
					    "b"),
			 -EINVAL);
}

/* The kernel takes any bytes but these; a record or CNI result cannot. */
static void test_nl_link_name_check_refuses_what_is_not_utf8(void **state)
{
	(void)state;
	assert_int_equal(nl_link_name_check("e\xc3\xa9"), 0);
	log_clear();
	assert_int_equal(nl_link_name_check("e\xff"), -EINVAL);
	assert_last_contains("not UTF-8");
	log_clear();
	assert_int_equal(nl_link_name_check("x\xc3"), -EINVAL);
	assert_last_contains("not UTF-8");
}

static void test_name_check_accepts_letters_digits_and_inner_punctuation(void **state)
{
	char name[256];

	(void)state;
	assert_int_equal(name_check("container id", "abc123"), 0);
	assert_int_equal(name_check("container id", "0a_b.c-d"), 0);
	assert_int_equal(name_check("container id", "Z"), 0);
	assert_int_equal(
		name_check("container id", repeat(name, sizeof(name), 'c', 200)), 0);
}

static void test_name_check_refuses_punctuation_first(void **state)
{
	static const char *const bad[] = { "_a", ".a", "-a", "../x", "." };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		log_clear();
		if (name_check("network name", bad[i]) != -EINVAL)
			fail_msg("name_check(\"%s\") did not refuse it", bad[i]);
		assert_last_contains("invalid network name \"");
		assert_last_contains("(not first)");
	}
}

static void test_name_check_refuses_other_characters(void **state)
{
	static const char *const bad[] = {
		"a/b", "a b", "a:b", "a\xc3\xa9", "a@b", "a\nb"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (name_check("container id", bad[i]) != -EINVAL)
			fail_msg("name_check(\"%s\") did not refuse it", bad[i]);
	}
}

static void test_name_check_refuses_empty_and_201_bytes(void **state)
{
	char name[256];

	(void)state;
	log_clear();
	assert_int_equal(name_check("container id", ""), -EINVAL);
	assert_string_equal(log_last(), "missing container id");

	log_clear();
	assert_int_equal(name_check("container id",
					repeat(name, sizeof(name), 'c', 201)),
			 -EINVAL);
	assert_string_equal(log_last(), "invalid container id: longer than 200 bytes");
}

/* A try says what is wrong in its value and logs nothing. */
static void test_try_forms_fill_the_message_and_log_nothing(void **state)
{
	struct log_msg m = { 0 };
	uint8_t mac[6];

	(void)state;
	log_clear();
	assert_int_equal(name_check_try("network name", "-a", &m), -EINVAL);
	assert_non_null(strstr(m.text, "invalid network name \"-a\""));
	assert_int_equal(nl_link_name_check_try("a/b", &m), -EINVAL);
	assert_non_null(strstr(m.text, "contains '/'"));
	assert_int_equal(nl_link_mac_parse_try("01:00:5e:00:00:01", mac, &m), -EINVAL);
	assert_non_null(strstr(m.text, "multicast"));
	assert_int_equal(netns_open_path_try("/", &m), -EINVAL);
	assert_string_equal(m.text, "/ is not a namespace");
	assert_int_equal(netns_open_path_try("/nonexistent/ns", NULL), -ENOENT);
	assert_string_equal(log_last(), "");
	assert_int_equal(name_check_try("container id", "abc", NULL), 0);
}

static void test_cmd_parse_uint_accepts_bounds(void **state)
{
	unsigned long v = 0;

	(void)state;
	assert_int_equal(cmd_parse_uint("MTU", "68", 68, 65535, &v), 0);
	assert_int_equal(v, 68);
	assert_int_equal(cmd_parse_uint("MTU", "65535", 68, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(cmd_parse_uint("MTU", "1500", 68, 65535, &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(cmd_parse_uint("count", "0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
}

static void test_cmd_parse_uint_refuses_out_of_bounds_with_message(void **state)
{
	unsigned long v = 7;

	(void)state;
	log_clear();
	assert_int_equal(cmd_parse_uint("MTU", "70000", 68, 65535, &v), -EINVAL);
	assert_string_equal(log_last(), "invalid MTU \"70000\": want 68 to 65535");
	assert_int_equal(cmd_parse_uint("MTU", "67", 68, 65535, &v), -EINVAL);
	assert_int_equal(cmd_parse_uint("MTU", "65536", 68, 65535, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_cmd_parse_uint_refuses_signs_junk_and_overflow(void **state)
{
	static const char *const bad[] = {
		"+1", "-1", "1x", "", " 1", "0x10", "1.5", "99999999999999999999999",
	};
	unsigned long v = 7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		log_clear();
		if (cmd_parse_uint("count", bad[i], 0, ULONG_MAX, &v) != -EINVAL)
			fail_msg("cmd_parse_uint(\"%s\") did not refuse it", bad[i]);
		assert_last_contains("invalid count \"");
	}
	assert_int_equal(v, 7);
}

static void test_link_mac_parse_takes_six_hex_pairs(void **state)
{
	uint8_t mac[6];

	(void)state;
	assert_int_equal(nl_link_mac_parse("02:42:AC:11:00:0f", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0x02, 0x42, 0xac, 0x11, 0x00, 0x0f }), 6);
	assert_int_equal(nl_link_mac_parse("01:00:5e:00:00:01", mac), -EINVAL);
	assert_last_contains("multicast");
	assert_int_equal(nl_link_mac_parse("00:00:00:00:00:00", mac), -EINVAL);
	assert_last_contains("all zeros");
}

/* Found by tests/fuzz/fuzz_specs: sscanf()'s %2x took "-0" for a hex pair. */
static void test_link_mac_parse_refuses_signs_spaces_and_prefixes(void **state)
{
	static const char *const bad[] = {
		"02:42:ac:05:-0:02", "02:42:ac:05:+1:02", " 2:42:ac:11:00:02",
		"02: 2:ac:11:00:02", "0x:42:ac:11:00:02", "02-42-ac-11-00-02",
		"02:42:ac:11:00:0g", "02:42:ac:11:00:02:", "2:42:ac:11:00:02",
	};
	uint8_t mac[6];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (nl_link_mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("\"%s\" was taken for a MAC address", bad[i]);
		assert_last_contains("want six hex pairs");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netns_name_check_accepts_ordinary_names),
		cmocka_unit_test(test_link_mac_parse_takes_six_hex_pairs),
		cmocka_unit_test(test_link_mac_parse_refuses_signs_spaces_and_prefixes),
		cmocka_unit_test(test_netns_name_check_refuses_empty_dots_and_slash),
		cmocka_unit_test(test_netns_name_check_refuses_256_bytes),
		cmocka_unit_test(test_netns_spec_path_puts_names_under_run_netns),
		cmocka_unit_test(test_netns_spec_path_reads_pid),
		cmocka_unit_test(test_netns_spec_path_refuses_bad_pids),
		cmocka_unit_test(test_netns_spec_path_keeps_paths_as_given),
		cmocka_unit_test(test_netns_spec_path_refuses_bad_names),
		cmocka_unit_test(
			test_netns_spec_path_too_long_for_buffer_is_enametoolong),
		cmocka_unit_test(test_nl_link_name_check_accepts_15_bytes),
		cmocka_unit_test(test_nl_link_name_check_refuses_16_bytes),
		cmocka_unit_test(test_nl_link_name_check_refuses_what_kernel_refuses),
		cmocka_unit_test(test_nl_link_name_check_refuses_no_break_space),
		cmocka_unit_test(test_nl_link_name_check_refuses_what_is_not_utf8),
		cmocka_unit_test(
			test_name_check_accepts_letters_digits_and_inner_punctuation),
		cmocka_unit_test(test_name_check_refuses_punctuation_first),
		cmocka_unit_test(test_name_check_refuses_other_characters),
		cmocka_unit_test(test_name_check_refuses_empty_and_201_bytes),
		cmocka_unit_test(test_try_forms_fill_the_message_and_log_nothing),
		cmocka_unit_test(test_cmd_parse_uint_accepts_bounds),
		cmocka_unit_test(test_cmd_parse_uint_refuses_out_of_bounds_with_message),
		cmocka_unit_test(test_cmd_parse_uint_refuses_signs_junk_and_overflow),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
