// SPDX-License-Identifier: GPL-2.0-or-later
/* test_json: members matched as Go matches them, typed getters, json_write (lib/json.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <plumb/json.h>
#include <plumb/log.h>

static const char conf[] = "{\"name\": \"net1\", \"ipMasq\": true, \"hairpin\": false,"
			   " \"mtu\": 1500, \"nul\": null, \"ipam\": {\"type\": \"x\"},"
			   " \"routes\": [1, 2], \"ratio\": 1.5, \"str\": \"1500\","
			   " \"big\": 9223372036854775807, \"neg\": -5}";

static int setup(void **state)
{
	json_error_t err;
	json_t *j;

	log_test_mute(1);
	j = json_loads(conf, 0, &err);
	if (!j)
		return -1;
	*state = j;
	return 0;
}

static int teardown(void **state)
{
	json_decref(*state);
	return 0;
}

static void test_json_get_string_reads_present_member(void **state)
{
	const char *s = NULL;

	assert_int_equal(json_get_string(*state, "name", &s), 1);
	assert_non_null(s);
	assert_string_equal(s, "net1");
}

static void test_json_get_string_absent_or_null_leaves_out_alone(void **state)
{
	const char *s = "untouched";

	assert_int_equal(json_get_string(*state, "missing", &s), 0);
	assert_string_equal(s, "untouched");
	assert_int_equal(json_get_string(*state, "nul", &s), 0);
	assert_string_equal(s, "untouched");
}

static void test_json_get_string_wrong_type_names_key(void **state)
{
	const char *s = "untouched";

	log_clear();
	assert_int_equal(json_get_string(*state, "mtu", &s), -EINVAL);
	assert_string_equal(log_last(), "invalid \"mtu\": want a string");
	assert_int_equal(log_last_errno(), -EINVAL);
	assert_string_equal(s, "untouched");
	assert_int_equal(json_get_string(*state, "ipam", &s), -EINVAL);
	assert_int_equal(json_get_string(*state, "ipMasq", &s), -EINVAL);
}

static void test_json_get_bool_reads_true_and_false(void **state)
{
	int b = -1;

	assert_int_equal(json_get_bool(*state, "ipMasq", &b), 1);
	assert_int_equal(b, 1);
	assert_int_equal(json_get_bool(*state, "hairpin", &b), 1);
	assert_int_equal(b, 0);
}

static void test_json_get_bool_absent_or_null_leaves_out_alone(void **state)
{
	int b = -1;

	assert_int_equal(json_get_bool(*state, "missing", &b), 0);
	assert_int_equal(json_get_bool(*state, "nul", &b), 0);
	assert_int_equal(b, -1);
}

static void test_json_get_bool_wrong_type_names_key(void **state)
{
	int b = -1;

	log_clear();
	assert_int_equal(json_get_bool(*state, "name", &b), -EINVAL);
	assert_string_equal(log_last(), "invalid \"name\": want true or false");
	/* 1 is not true. */
	log_clear();
	assert_int_equal(json_get_bool(*state, "mtu", &b), -EINVAL);
	assert_string_equal(log_last(), "invalid \"mtu\": want true or false");
	assert_int_equal(b, -1);
}

static void test_json_get_int_reads_within_bounds(void **state)
{
	long long v = -1;

	assert_int_equal(json_get_int(*state, "mtu", 68, 65535, &v), 1);
	assert_int_equal(v, 1500);
	/* The bounds themselves are allowed. */
	assert_int_equal(json_get_int(*state, "mtu", 1500, 1500, &v), 1);
	assert_int_equal(v, 1500);
	assert_int_equal(json_get_int(*state, "neg", -5, 0, &v), 1);
	assert_true(v == -5);
	assert_int_equal(json_get_int(*state, "big", 0, INT64_MAX, &v), 1);
	assert_true(v == INT64_MAX);
}

static void test_json_get_int_out_of_bounds_names_key_and_range(void **state)
{
	long long v = -1;

	log_clear();
	assert_int_equal(json_get_int(*state, "mtu", 1501, 65535, &v), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid \"mtu\": want an integer from 1501 to 65535");
	log_clear();
	assert_int_equal(json_get_int(*state, "mtu", 68, 1499, &v), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid \"mtu\": want an integer from 68 to 1499");
	assert_int_equal(json_get_int(*state, "neg", 0, 10, &v), -EINVAL);
	assert_int_equal(v, -1);
}

static void test_json_get_int_refuses_real_and_string(void **state)
{
	long long v = -1;

	log_clear();
	assert_int_equal(json_get_int(*state, "ratio", 0, 10, &v), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid \"ratio\": want an integer from 0 to 10");
	assert_int_equal(json_get_int(*state, "str", 0, 65535, &v), -EINVAL);
	assert_int_equal(json_get_int(*state, "ipMasq", 0, 1, &v), -EINVAL);
	assert_int_equal(v, -1);
}

static void test_json_get_int_absent_or_null_leaves_out_alone(void **state)
{
	long long v = -1;

	assert_int_equal(json_get_int(*state, "missing", 0, 10, &v), 0);
	assert_int_equal(json_get_int(*state, "nul", 0, 10, &v), 0);
	assert_int_equal(v, -1);
}

static void test_json_get_object_borrows_member(void **state)
{
	json_t *o = NULL;

	assert_int_equal(json_get_object(*state, "ipam", &o), 1);
	assert_ptr_equal(o, json_object_get(*state, "ipam"));
	assert_string_equal(json_string_value(json_object_get(o, "type")), "x");
}

static void test_json_get_object_absent_null_and_wrong_type(void **state)
{
	json_t *sentinel = json_object_get(*state, "name");
	json_t *o = sentinel;

	assert_int_equal(json_get_object(*state, "missing", &o), 0);
	assert_int_equal(json_get_object(*state, "nul", &o), 0);
	assert_ptr_equal(o, sentinel);
	log_clear();
	assert_int_equal(json_get_object(*state, "routes", &o), -EINVAL);
	assert_string_equal(log_last(), "invalid \"routes\": want an object");
	assert_ptr_equal(o, sentinel);
}

static void test_json_get_array_borrows_member(void **state)
{
	json_t *a = NULL;

	assert_int_equal(json_get_array(*state, "routes", &a), 1);
	assert_ptr_equal(a, json_object_get(*state, "routes"));
	assert_int_equal(json_array_size(a), 2);
}

static void test_json_get_array_absent_null_and_wrong_type(void **state)
{
	json_t *sentinel = json_object_get(*state, "name");
	json_t *a = sentinel;

	assert_int_equal(json_get_array(*state, "missing", &a), 0);
	assert_int_equal(json_get_array(*state, "nul", &a), 0);
	assert_ptr_equal(a, sentinel);
	log_clear();
	assert_int_equal(json_get_array(*state, "ipam", &a), -EINVAL);
	assert_string_equal(log_last(), "invalid \"ipam\": want an array");
	assert_ptr_equal(a, sentinel);
}

static void test_json_get_from_non_object_finds_nothing(void **state)
{
	json_t *routes = json_object_get(*state, "routes");
	const char *s = "untouched";

	assert_int_equal(json_get_string(routes, "name", &s), 0);
	assert_int_equal(json_get_string(NULL, "name", &s), 0);
	assert_string_equal(s, "untouched");
}

static void test_json_write_prints_one_compact_line(void **state)
{
	char *text = NULL;
	size_t size = 0;
	json_t *j;
	FILE *f;

	(void)state;
	j = json_pack("{s:s, s:i, s:[i, i]}", "a", "b", "c", 1, "d", 2, 3);
	assert_non_null(j);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(json_write(f, j), 0);
	fclose(f);
	assert_string_equal(text, "{\"a\":\"b\",\"c\":1,\"d\":[2,3]}\n");
	free(text);
	json_decref(j);
}

static void test_json_write_prints_scalars(void **state)
{
	char *text = NULL;
	size_t size = 0;
	json_t *j;
	FILE *f;

	(void)state;
	j = json_string("x");
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(json_write(f, j), 0);
	fclose(f);
	assert_string_equal(text, "\"x\"\n");
	free(text);
	json_decref(j);
}

/* json_member() on one object given as JSON text; NULL when absent. */
static json_t *member_of(const char *text, const char *name, json_t **doc)
{
	json_error_t err;

	*doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!*doc)
		fail_msg("%s: %s", text, err.text);
	return json_member(*doc, name);
}

/* The integer json_member() finds for @name in @text, or -1 when none. */
static long long member_int(const char *text, const char *name)
{
	json_t *doc, *v = member_of(text, name, &doc);
	long long n = json_is_integer(v) ? json_integer_value(v) : -1;

	json_decref(doc);
	return n;
}

static void test_json_member_containerd_1_6_port_mapping(void **state)
{
	static const char m[] = "{\"HostPort\":18080,\"ContainerPort\":8080,"
				"\"Protocol\":\"tcp\",\"HostIP\":\"\"}";
	const char *proto = NULL, *host_ip = NULL;
	long long host = 0, cont = 0;
	json_t *j = json_loads(m, 0, NULL);

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_get_int(j, "hostPort", 1, 65535, &host), 1);
	assert_int_equal(json_get_int(j, "containerPort", 1, 65535, &cont), 1);
	assert_int_equal(json_get_string(j, "protocol", &proto), 1);
	assert_int_equal(json_get_string(j, "hostIP", &host_ip), 1);
	assert_int_equal(host, 18080);
	assert_int_equal(cont, 8080);
	assert_string_equal(proto, "tcp");
	assert_string_equal(host_ip, "");
	json_decref(j);
}

static void test_json_member_folds_ascii_case_only(void **state)
{
	(void)state;
	assert_int_equal(member_int("{\"hostPort\": 1}", "hostPort"), 1);
	assert_int_equal(member_int("{\"HOSTPORT\": 2}", "hostPort"), 2);
	assert_int_equal(member_int("{\"hostport\": 3}", "hostPort"), 3);
	assert_int_equal(member_int("{\"HoStPoRt\": 4}", "hostPort"), 4);
	/* Only letters have a case: '@' (0x40) is not '`' (0x60), '[' not '{'. */
	assert_int_equal(member_int("{\"a@b\": 5}", "a`b"), -1);
	assert_int_equal(member_int("{\"a[b\": 5}", "a{b"), -1);
	assert_int_equal(member_int("{\"cni.dev/ATTACHMENTS\": 6}", "cni.dev/attachments"),
			 6);
	/* Nor is a prefix, a longer key, or a key with '_' or '-' a match. */
	assert_int_equal(member_int("{\"hostPor\": 7}", "hostPort"), -1);
	assert_int_equal(member_int("{\"hostPorts\": 7}", "hostPort"), -1);
	assert_int_equal(member_int("{\"host_port\": 7}", "hostPort"), -1);
	assert_int_equal(member_int("{\"host-port\": 7}", "hostPort"), -1);
	assert_int_equal(member_int("{\"\": 7}", "hostPort"), -1);
}

static void test_json_member_folds_kelvin_sign_and_long_s_as_go(void **state)
{
	(void)state;
	/* U+212A KELVIN SIGN folds to k and K, U+017F LONG S to s and S. */
	assert_int_equal(member_int("{\"\\u212Aey\": 1}", "key"), 1);
	assert_int_equal(member_int("{\"\\u212Aey\": 1}", "Key"), 1);
	assert_int_equal(member_int("{\"ho\\u017FtPort\": 2}", "hostPort"), 2);
	assert_int_equal(member_int("{\"\\u017Fnat\": 3}", "SNAT"), 3);
	/* They fold to nothing else. */
	assert_int_equal(member_int("{\"\\u212Aey\": 4}", "hey"), -1);
	assert_int_equal(member_int("{\"\\u017Fnat\": 5}", "fnat"), -1);
	/* Neither does any other non-ASCII letter to an ASCII one: the dotted
	 * and dotless i are alone in their orbits, and full case folding
	 * (sharp s to "ss", the ligature "fi") is not Go's. */
	assert_int_equal(member_int("{\"\\u0130p\": 6}", "ip"), -1);
	assert_int_equal(member_int("{\"\\u0131p\": 6}", "IP"), -1);
	assert_int_equal(member_int("{\"\\u00DFnat\": 7}", "ssnat"), -1);
	assert_int_equal(member_int("{\"\\uFB01le\": 8}", "file"), -1);
	/* The other kelvin-like sign, U+212B ANGSTROM, folds to a ring, not A. */
	assert_int_equal(member_int("{\"\\u212Bb\": 9}", "ab"), -1);
}

static void test_json_member_exact_match_comes_first(void **state)
{
	(void)state;
	assert_int_equal(member_int("{\"HostPort\": 1, \"hostPort\": 2}", "hostPort"), 2);
	assert_int_equal(member_int("{\"hostPort\": 2, \"HostPort\": 1}", "hostPort"), 2);
	/* Without one, the last folded key, as Go's decoder overwrites. */
	assert_int_equal(member_int("{\"HostPort\": 1, \"HOSTPORT\": 2, \"hostport\": 3}",
				    "hostPort"),
			 3);
}

static void test_json_member_non_ascii_name_matches_exactly(void **state)
{
	(void)state;
	assert_int_equal(member_int("{\"\\u00E9t\\u00E9\": 1}", "\xc3\xa9t\xc3\xa9"), 1);
	assert_int_equal(member_int("{\"\\u00C9T\\u00C9\": 1}", "\xc3\xa9t\xc3\xa9"), -1);
}

static void test_json_member_of_non_object_is_null(void **state)
{
	json_t *a = json_array();

	(void)state;
	assert_null(json_member(NULL, "x"));
	assert_null(json_member(a, "x"));
	json_decref(a);
}

static void test_json_get_folded_null_is_absent(void **state)
{
	json_t *j = json_loads("{\"MTU\": null, \"Name\": 7}", 0, NULL);
	const char *s = "untouched";
	long long v = -1;

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_get_int(j, "mtu", 0, 65535, &v), 0);
	assert_int_equal(v, -1);
	/* A wrong type found by folding is named as the reader asked for it. */
	log_clear();
	assert_int_equal(json_get_string(j, "name", &s), -EINVAL);
	assert_string_equal(log_last(), "invalid \"name\": want a string");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_get_string_reads_present_member,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_json_get_string_absent_or_null_leaves_out_alone, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_json_get_string_wrong_type_names_key,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_get_bool_reads_true_and_false,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_json_get_bool_absent_or_null_leaves_out_alone, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_json_get_bool_wrong_type_names_key,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_get_int_reads_within_bounds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_json_get_int_out_of_bounds_names_key_and_range, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_json_get_int_refuses_real_and_string,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_json_get_int_absent_or_null_leaves_out_alone, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_json_get_object_borrows_member,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_json_get_object_absent_null_and_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_get_array_borrows_member, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_json_get_array_absent_null_and_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_json_get_from_non_object_finds_nothing, setup, teardown),
		cmocka_unit_test(test_json_write_prints_one_compact_line),
		cmocka_unit_test(test_json_write_prints_scalars),
		cmocka_unit_test(test_json_member_containerd_1_6_port_mapping),
		cmocka_unit_test(test_json_member_folds_ascii_case_only),
		cmocka_unit_test(test_json_member_folds_kelvin_sign_and_long_s_as_go),
		cmocka_unit_test(test_json_member_exact_match_comes_first),
		cmocka_unit_test(test_json_member_non_ascii_name_matches_exactly),
		cmocka_unit_test(test_json_member_of_non_object_is_null),
		cmocka_unit_test(test_json_get_folded_null_is_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
