// SPDX-License-Identifier: GPL-2.0-or-later
/* test_inet: parsing, printing and arithmetic of addresses and prefixes (lib/inet.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include <plumb/inet.h>
#include <plumb/log.h>

static int setup(void **state)
{
	(void)state;
	log_test_mute(1);
	return 0;
}

static struct inet_addr addr(const char *s)
{
	struct inet_addr a;

	assert_int_equal(inet_addr_parse(s, &a), 0);
	return a;
}

static struct inet_prefix prefix(const char *s)
{
	struct inet_prefix p;

	assert_int_equal(inet_prefix_parse(s, &p), 0);
	return p;
}

static void assert_addr(const struct inet_addr *a, const char *want)
{
	char buf[INET_ADDR_STRLEN];

	assert_string_equal(inet_addr_str(a, buf, sizeof(buf)), want);
}

static void test_inet_addr_parse_reads_v4_and_v6(void **state)
{
	struct inet_addr a;

	(void)state;
	assert_int_equal(inet_addr_parse("10.88.0.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.b[0], 10);
	assert_int_equal(a.b[1], 88);
	assert_int_equal(a.b[2], 0);
	assert_int_equal(a.b[3], 1);
	assert_int_equal(inet_addr_bits(&a), 32);

	assert_int_equal(inet_addr_parse("fd00::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.b[0], 0xfd);
	assert_int_equal(a.b[15], 1);
	assert_int_equal(inet_addr_bits(&a), 128);
	assert_int_equal(inet_addr_bytes(&a), 16);
}

static void test_inet_addr_parse_refuses_garbage(void **state)
{
	static const char *const bad[] = {
		"",	     "10.0.0",	  "10.0.0.256",
		" 10.0.0.1", "10.0.0.1 ", "10.0.0.1/24",
		"fd00:::1",  "fd00::g",	  "localhost",
	};
	struct inet_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(inet_addr_parse(bad[i], &a), -EINVAL);
}

static void test_inet_prefix_parse_keeps_host_bits(void **state)
{
	struct inet_prefix p;

	(void)state;
	assert_int_equal(inet_prefix_parse("10.88.0.5/16", &p), 0);
	assert_int_equal(p.addr.family, AF_INET);
	assert_int_equal(p.len, 16);
	assert_addr(&p.addr, "10.88.0.5");

	assert_int_equal(inet_prefix_parse("fd00::5/128", &p), 0);
	assert_int_equal(p.addr.family, AF_INET6);
	assert_int_equal(p.len, 128);

	assert_int_equal(inet_prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(inet_prefix_parse("10.0.0.1/32", &p), 0);
	assert_int_equal(p.len, 32);
}

static void test_inet_prefix_parse_refuses_bad_lengths_and_junk(void **state)
{
	static const char *const bad[] = {
		"10.0.0.1", /* no length */
		"10.0.0.1/", /* empty length */
		"10.0.0.1/33", /* longer than the family */
		"fd00::1/129",
		"10.0.0.1/-1",
		"10.0.0.1/+8",
		"10.0.0.1/ 8",
		"10.0.0.1/8x", /* trailing junk */
		"10.0.0.1/8/8",
		"10.0.0.1/99999999999999999999999",
		"/24", /* no address */
		"10.0.0/24",
		"garbage/8",
		"garbage",
		"",
		"0000000000000000000000000000000000000000000000000000000000.0.0.1/8",
	};
	struct inet_prefix p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (inet_prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("inet_prefix_parse(\"%s\") did not refuse it", bad[i]);
	}
}

static void test_inet_subnet_parse_accepts_network_address(void **state)
{
	struct inet_prefix p;

	(void)state;
	assert_int_equal(inet_subnet_parse("10.88.0.0/16", &p), 0);
	assert_int_equal(p.len, 16);
	assert_addr(&p.addr, "10.88.0.0");
	assert_int_equal(inet_subnet_parse("fd00:1::/64", &p), 0);
	assert_int_equal(p.len, 64);
}

static void test_inet_subnet_parse_refuses_host_bits_with_message(void **state)
{
	struct inet_prefix p;

	(void)state;
	log_clear();
	assert_int_equal(inet_subnet_parse("10.88.0.1/16", &p), -EINVAL);
	assert_string_equal(log_last(), "invalid subnet \"10.88.0.1/16\": host bits set");
	assert_int_equal(log_last_errno(), -EINVAL);

	log_clear();
	assert_int_equal(inet_subnet_parse("fd00::1/64", &p), -EINVAL);
	assert_string_equal(log_last(), "invalid subnet \"fd00::1/64\": host bits set");
}

static void test_inet_subnet_parse_refuses_bad_prefix_with_message(void **state)
{
	struct inet_prefix p;

	(void)state;
	log_clear();
	assert_int_equal(inet_subnet_parse("10.88.0.0", &p), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid subnet \"10.88.0.0\": want ADDRESS/LENGTH");
}

static void test_inet_prefix_str_round_trips(void **state)
{
	static const char *const s[] = {
		"10.88.0.5/16", "0.0.0.0/0", "255.255.255.255/32",
		"fd00::5/64",	"::/0",	     "2001:db8::ff00:42:8329/128",
	};
	char buf[INET_PREFIX_STRLEN];
	struct inet_prefix p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		p = prefix(s[i]);
		assert_string_equal(inet_prefix_str(&p, buf, sizeof(buf)), s[i]);
	}
}

static void test_inet_addr_str_round_trips(void **state)
{
	static const char *const s[] = {
		"10.0.0.1", "0.0.0.0",	       "fd00::1",
		"::",	    "::ffff:10.0.0.1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	struct inet_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		a = addr(s[i]);
		assert_addr(&a, s[i]);
	}
}

static void test_inet_addr_str_of_unset_address_is_question_mark(void **state)
{
	struct inet_addr a = { 0 };

	(void)state;
	assert_addr(&a, "?");
}

static void test_inet_prefix_str_longest_v6_fits_in_prefix_strlen(void **state)
{
	char buf[INET_PREFIX_STRLEN];
	struct inet_prefix p;

	(void)state;
	p = prefix("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128");
	assert_string_equal(inet_prefix_str(&p, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
}

static void test_inet_prefix_contains_checks_network_bits_only(void **state)
{
	struct inet_prefix p = prefix("10.88.0.0/16");
	struct inet_prefix p6 = prefix("fd00:1::/64");
	struct inet_prefix odd = prefix("10.0.0.0/13");
	struct inet_prefix all = prefix("0.0.0.0/0");
	struct inet_addr a;

	(void)state;
	a = addr("10.88.255.255");
	assert_true(inet_prefix_contains(&p, &a));
	a = addr("10.88.0.0");
	assert_true(inet_prefix_contains(&p, &a));
	a = addr("10.89.0.0");
	assert_false(inet_prefix_contains(&p, &a));
	a = addr("10.87.255.255");
	assert_false(inet_prefix_contains(&p, &a));

	a = addr("10.7.255.255");
	assert_true(inet_prefix_contains(&odd, &a));
	a = addr("10.8.0.0");
	assert_false(inet_prefix_contains(&odd, &a));

	a = addr("fd00:1::ffff:ffff:ffff:ffff");
	assert_true(inet_prefix_contains(&p6, &a));
	a = addr("fd00:2::1");
	assert_false(inet_prefix_contains(&p6, &a));

	a = addr("203.0.113.1");
	assert_true(inet_prefix_contains(&all, &a));
	/* Another family is never inside, even for /0. */
	a = addr("::1");
	assert_false(inet_prefix_contains(&all, &a));
	a = addr("::ffff:10.88.0.1");
	assert_false(inet_prefix_contains(&p, &a));
}

static void test_inet_prefix_mask_clears_host_bits(void **state)
{
	struct inet_prefix p = prefix("10.88.77.66/20");
	struct inet_prefix p6 = prefix("fd00:1:2:3:4:5:6:7/50");
	struct inet_prefix host = prefix("10.1.2.3/32");
	struct inet_prefix none = prefix("10.1.2.3/0");

	(void)state;
	inet_prefix_mask(&p);
	assert_addr(&p.addr, "10.88.64.0");
	assert_int_equal(p.len, 20);
	inet_prefix_mask(&p6);
	assert_addr(&p6.addr, "fd00:1:2::");
	inet_prefix_mask(&host);
	assert_addr(&host.addr, "10.1.2.3");
	inet_prefix_mask(&none);
	assert_addr(&none.addr, "0.0.0.0");
}

static void test_inet_prefix_has_host_bits_sees_lowest_bit(void **state)
{
	struct inet_prefix p;

	(void)state;
	p = prefix("10.88.0.0/16");
	assert_false(inet_prefix_has_host_bits(&p));
	p = prefix("10.88.0.1/16");
	assert_true(inet_prefix_has_host_bits(&p));
	p = prefix("10.88.16.0/20");
	assert_false(inet_prefix_has_host_bits(&p));
	p = prefix("10.88.8.0/20");
	assert_true(inet_prefix_has_host_bits(&p));
	p = prefix("10.88.0.1/32");
	assert_false(inet_prefix_has_host_bits(&p));
	p = prefix("fd00::/64");
	assert_false(inet_prefix_has_host_bits(&p));
	p = prefix("fd00::1/64");
	assert_true(inet_prefix_has_host_bits(&p));
	p = prefix("fd00::1/128");
	assert_false(inet_prefix_has_host_bits(&p));
}

static void test_inet_addr_add_carries_into_next_byte(void **state)
{
	struct inet_addr a = addr("10.0.0.255");

	(void)state;
	inet_addr_add(&a, 1);
	assert_addr(&a, "10.0.1.0");

	a = addr("10.0.255.255");
	inet_addr_add(&a, 1);
	assert_addr(&a, "10.1.0.0");

	a = addr("10.0.0.0");
	inet_addr_add(&a, 0x010203);
	assert_addr(&a, "10.1.2.3");

	a = addr("10.0.0.200");
	inet_addr_add(&a, 100);
	assert_addr(&a, "10.0.1.44");

	a = addr("10.0.0.7");
	inet_addr_add(&a, 0);
	assert_addr(&a, "10.0.0.7");
}

static void test_inet_addr_add_wraps_at_top_of_v4(void **state)
{
	struct inet_addr a = addr("255.255.255.255");

	(void)state;
	inet_addr_add(&a, 1);
	assert_addr(&a, "0.0.0.0");
	assert_int_equal(a.family, AF_INET);

	/* Only 4 bytes: what overflows them is dropped, not written past. */
	a = addr("10.0.0.1");
	inet_addr_add(&a, UINT64_C(1) << 32);
	assert_addr(&a, "10.0.0.1");
	assert_int_equal(a.b[4], 0);
}

static void test_inet_addr_add_v6_carries_across_bytes(void **state)
{
	struct inet_addr a = addr("fd00::ffff");

	(void)state;
	inet_addr_add(&a, 1);
	assert_addr(&a, "fd00::1:0");

	a = addr("fd00::ffff:ffff:ffff:ffff");
	inet_addr_add(&a, 1);
	assert_addr(&a, "fd00:0:0:1::");

	a = addr("fd00::1");
	inet_addr_add(&a, UINT64_MAX);
	assert_addr(&a, "fd00:0:0:1::");

	a = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	inet_addr_add(&a, 2);
	assert_addr(&a, "::1");
}

static void test_inet_prefix_last_is_broadcast_or_top(void **state)
{
	struct inet_prefix p;
	struct inet_addr last;

	(void)state;
	p = prefix("10.88.3.0/24");
	inet_prefix_last(&p, &last);
	assert_addr(&last, "10.88.3.255");

	p = prefix("10.88.0.0/20");
	inet_prefix_last(&p, &last);
	assert_addr(&last, "10.88.15.255");

	p = prefix("10.0.0.0/31");
	inet_prefix_last(&p, &last);
	assert_addr(&last, "10.0.0.1");

	p = prefix("10.0.0.7/32");
	inet_prefix_last(&p, &last);
	assert_addr(&last, "10.0.0.7");

	p = prefix("fd00:1::/64");
	inet_prefix_last(&p, &last);
	assert_addr(&last, "fd00:1::ffff:ffff:ffff:ffff");
	assert_int_equal(last.family, AF_INET6);

	p = prefix("0.0.0.0/0");
	inet_prefix_last(&p, &last);
	assert_addr(&last, "255.255.255.255");
}

static void test_inet_addr_cmp_orders_v4_before_v6_then_numerically(void **state)
{
	struct inet_addr a, b;

	(void)state;
	a = addr("255.255.255.255");
	b = addr("::");
	assert_true(inet_addr_cmp(&a, &b) < 0);
	assert_true(inet_addr_cmp(&b, &a) > 0);

	a = addr("10.0.0.2");
	b = addr("10.0.0.10");
	assert_true(inet_addr_cmp(&a, &b) < 0);
	assert_true(inet_addr_cmp(&b, &a) > 0);

	a = addr("10.0.1.0");
	b = addr("10.0.0.255");
	assert_true(inet_addr_cmp(&a, &b) > 0);

	a = addr("fd00::2");
	b = addr("fd00::1:0");
	assert_true(inet_addr_cmp(&a, &b) < 0);

	a = addr("fd00::1");
	b = addr("fd00:0::1");
	assert_int_equal(inet_addr_cmp(&a, &b), 0);
	assert_true(inet_addr_eq(&a, &b));
	b = addr("fd00::2");
	assert_false(inet_addr_eq(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inet_addr_parse_reads_v4_and_v6),
		cmocka_unit_test(test_inet_addr_parse_refuses_garbage),
		cmocka_unit_test(test_inet_prefix_parse_keeps_host_bits),
		cmocka_unit_test(test_inet_prefix_parse_refuses_bad_lengths_and_junk),
		cmocka_unit_test(test_inet_subnet_parse_accepts_network_address),
		cmocka_unit_test(test_inet_subnet_parse_refuses_host_bits_with_message),
		cmocka_unit_test(test_inet_subnet_parse_refuses_bad_prefix_with_message),
		cmocka_unit_test(test_inet_prefix_str_round_trips),
		cmocka_unit_test(test_inet_addr_str_round_trips),
		cmocka_unit_test(test_inet_addr_str_of_unset_address_is_question_mark),
		cmocka_unit_test(test_inet_prefix_str_longest_v6_fits_in_prefix_strlen),
		cmocka_unit_test(test_inet_prefix_contains_checks_network_bits_only),
		cmocka_unit_test(test_inet_prefix_mask_clears_host_bits),
		cmocka_unit_test(test_inet_prefix_has_host_bits_sees_lowest_bit),
		cmocka_unit_test(test_inet_addr_add_carries_into_next_byte),
		cmocka_unit_test(test_inet_addr_add_wraps_at_top_of_v4),
		cmocka_unit_test(test_inet_addr_add_v6_carries_across_bytes),
		cmocka_unit_test(test_inet_prefix_last_is_broadcast_or_top),
		cmocka_unit_test(test_inet_addr_cmp_orders_v4_before_v6_then_numerically),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
