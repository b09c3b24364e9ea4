// SPDX-License-Identifier: GPL-2.0-or-later
/* test_nat_spec: published ports' elements described for "plumb-nat list" (lib/nat_spec.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <plumb/log.h>
#include <plumb/nat.h>

static int setup(void **state)
{
	(void)state;
	log_test_mute(1);
	return 0;
}

/* The element of tcp 8080 to 10.88.0.2:80, owned by @owner. */
static void elem_8080(struct nft_elem *e, const char *owner)
{
	struct nat_pub p;

	assert_int_equal(nat_pub_parse("8080/tcp", "10.88.0.2:80", &p), 0);
	assert_int_equal(nat_pub_elems(&p, owner, e), 1);
}

static void test_nat_elem_describe_gives_ports_addr_and_owner(void **state)
{
	struct nft_elem e[2];
	json_t *j;

	(void)state;
	elem_8080(e, "net/web/eth0");
	assert_int_equal(nat_elem_describe(e, &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "proto")), "tcp");
	assert_int_equal(json_integer_value(json_object_get(j, "host_port")), 8080);
	assert_string_equal(json_string_value(json_object_get(j, "addr")), "10.88.0.2");
	assert_int_equal(json_integer_value(json_object_get(j, "port")), 80);
	assert_string_equal(json_string_value(json_object_get(j, "owner")), "net/web/eth0");
	json_decref(j);
}

/*
 * Found by tests/fuzz/fuzz_netlink: an element comment that is not UTF-8
 * (anyone with nft can write one) made json_pack() fail, and "plumb-nat
 * list" with it, as if out of memory.
 */
static void test_nat_elem_describe_owner_not_utf8_is_replaced(void **state)
{
	struct nft_elem e[2];
	json_t *j;

	(void)state;
	elem_8080(e, "");
	memcpy(e[0].owner, "caf\xe9/x", 7);
	assert_int_equal(nat_elem_describe(e, &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "owner")), "caf?/x");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_elem_describe_gives_ports_addr_and_owner),
		cmocka_unit_test(test_nat_elem_describe_owner_not_utf8_is_replaced),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
