// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nat_spec: published ports' elements described for "plumb-nat list"
 * (lib/nat_spec.c); destinations spared from masquerade (lib/nat_nomasq.c);
 * the owners of elements, in namespaces apart (lib/nat_owner.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <plumb/log.h>
#include <plumb/name.h>
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

/* nomasq4's element 10.244.1.0/24 . 10.96.0.0/12, keys as the kernel keeps them. */
static void test_nat_nomasq_describe_gives_both_prefixes(void **state)
{
	struct nft_elem e = {
		.set = NFT_NOMASQ4,
		.key = { 10, 244, 1, 0, 10, 96, 0, 0 },
		.key_end = { 10, 244, 1, 255, 10, 111, 255, 255 },
		.has_end = 1,
		.owner = "k8s",
	};
	json_t *j;

	(void)state;
	assert_int_equal(nat_nomasq_describe(&e, &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "subnet")),
			    "10.244.1.0/24");
	assert_string_equal(json_string_value(json_object_get(j, "to")), "10.96.0.0/12");
	assert_string_equal(json_string_value(json_object_get(j, "owner")), "k8s");
	json_decref(j);
}

static void test_nat_nomasq_describe_ipv6_and_whole_space(void **state)
{
	struct nft_elem e = { .set = NFT_NOMASQ6, .has_end = 1 };
	json_t *j;

	(void)state;
	e.key[0] = 0xfd; /* fd00::/8 */
	e.key_end[0] = 0xfd;
	memset(e.key_end + 1, 0xff, 15);
	memset(e.key_end + 16, 0xff, 16); /* ::/0 */
	assert_int_equal(nat_nomasq_describe(&e, &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "subnet")), "fd00::/8");
	assert_string_equal(json_string_value(json_object_get(j, "to")), "::/0");
	json_decref(j);
}

static void test_nat_nomasq_parse_json_names_the_bad_entry(void **state)
{
	struct inet_prefix to[NAT_NOMASQ_MAX];
	json_t *j;
	size_t n = 7;
	char buf[INET_PREFIX_STRLEN];

	(void)state;
	j = json_pack("[s, s]", "10.244.0.0/16", "fd00::/8");
	assert_int_equal(nat_nomasq_parse_json(j, "nonMasqueradeCIDRs", to, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(inet_prefix_str(&to[1], buf, sizeof(buf)), "fd00::/8");
	json_decref(j);

	j = json_pack("[s, s]", "10.244.0.0/16", "10.96.0.1/12");
	log_clear();
	assert_int_equal(nat_nomasq_parse_json(j, "nonMasqueradeCIDRs", to, &n), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid \"nonMasqueradeCIDRs[1]\": want a subnet "
			    "such as 10.244.0.0/16 (no host bits)");
	json_decref(j);

	j = json_pack("[i]", 10);
	assert_int_equal(nat_nomasq_parse_json(j, "x", to, &n), -EINVAL);
	json_decref(j);
	j = json_string("10.0.0.0/8");
	assert_int_equal(nat_nomasq_parse_json(j, "x", to, &n), -EINVAL);
	assert_string_equal(log_last(),
			    "invalid \"x\": want an array of at most 64 subnets");
	json_decref(j);
}

static void test_nat_nomasq_parse_stops_at_the_limit(void **state)
{
	struct inet_prefix to[NAT_NOMASQ_MAX];
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < NAT_NOMASQ_MAX; i++)
		assert_int_equal(nat_nomasq_parse("10.0.0.0/8", to, &n), 0);
	assert_int_equal(nat_nomasq_parse("10.0.0.0/8", to, &n), -EINVAL);
	assert_int_equal(n, NAT_NOMASQ_MAX);
	n = 0;
	assert_int_equal(nat_nomasq_parse("10.0.0.1/8", to, &n), -EINVAL);
	assert_int_equal(n, 0);
}

/* Each kind of owner has its form; none is a name a person may give. */
static void test_nat_owner_kinds_are_apart_and_described(void **state)
{
	const char *cni[] = { "net1", "c1", "eth0" }, *lab[] = { "lab1" };
	char owner[NFT_OWNER_MAX + 1], who[NAT_WHO_MAX];

	(void)state;
	nat_owner_container("web", owner);
	assert_string_equal(owner, "container@web");
	assert_int_equal(nat_owner_check(owner), -EINVAL);
	assert_string_equal(nat_owner_describe(owner, who, sizeof(who)), "container web");
	nat_owner_network("plumb0", owner);
	assert_string_equal(owner, "network@plumb0");
	assert_int_equal(nat_owner_check(owner), -EINVAL);
	assert_string_equal(nat_owner_describe(owner, who, sizeof(who)), "network plumb0");
	nat_owner_make(NAT_OWNER_CNI, cni, 3, owner, sizeof(owner));
	assert_string_equal(owner, "cni@net1/c1/eth0");
	assert_int_equal(nat_owner_check(owner), -EINVAL);
	assert_string_equal(nat_owner_describe(owner, who, sizeof(who)),
			    "CNI attachment net1/c1/eth0");
	nat_owner_make(NAT_OWNER_LAB, lab, 1, owner, sizeof(owner));
	assert_string_equal(owner, "lab@lab1");
	assert_int_equal(nat_owner_check(owner), -EINVAL);
	assert_string_equal(nat_owner_describe(owner, who, sizeof(who)), "lab lab1");
	/* A person's owner is described as it is. */
	assert_int_equal(nat_owner_check("web/1"), 0);
	assert_string_equal(nat_owner_describe("web/1", who, sizeof(who)), "web/1");
	assert_string_equal(nat_owner_describe("", who, sizeof(who)), "someone unknown");
}

/* Too long, or not plain: a hash after the kind, the same every time. */
static void test_nat_owner_make_hashes_what_does_not_fit(void **state)
{
	char id[201], owner[NFT_OWNER_MAX + 1], again[NFT_OWNER_MAX + 1];
	const char *odd[] = { "net1", "c1", "eth 0" };

	(void)state;
	memset(id, 'c', 200);
	id[200] = '\0';
	nat_owner_container(id, owner);
	assert_int_equal(strlen(owner), strlen("container@=") + 16);
	assert_memory_equal(owner, "container@=", 11);
	nat_owner_container(id, again);
	assert_string_equal(owner, again);
	id[199] = 'd';
	nat_owner_container(id, again);
	assert_string_not_equal(owner, again);
	nat_owner_make(NAT_OWNER_CNI, odd, 3, owner, sizeof(owner));
	assert_int_equal(strlen(owner), strlen("cni@=") + 16);
}

/*
 * A hashed owner is no plain owner: the container whose id is the hash of a
 * long id (earlier versions gave both "container@<hash>") owns apart from it,
 * and so does a network named so.
 */
static void test_nat_owner_hashed_is_no_plain_owner(void **state)
{
	char id[201], owner[NFT_OWNER_MAX + 1], plain[NFT_OWNER_MAX + 1],
		old[NFT_OWNER_MAX + 1];
	const char *parts[] = { id };

	(void)state;
	memset(id, 'c', 200);
	id[200] = '\0';
	nat_owner_container(id, owner);
	assert_int_equal(name_check("container id", owner + strlen("container@")),
			 -EINVAL);
	nat_owner_container(owner + strlen("container@="), plain);
	assert_string_not_equal(owner, plain);
	nat_owner_network(id, owner);
	assert_memory_equal(owner, "network@=", 9);
	nat_owner_network(owner + strlen("network@="), plain);
	assert_string_not_equal(owner, plain);
	/* The earlier form: FNV-1a, which a 16-digit id's plain owner shares. */
	assert_int_equal(nat_owner_make_earlier(NAT_OWNER_CONTAINER, parts, 1, old,
						sizeof(old)),
			 1);
	assert_int_equal(strlen(old), strlen("container@") + 16);
	nat_owner_container(old + strlen("container@"), plain);
	assert_string_equal(old, plain);
	nat_owner_container(id, owner);
	assert_string_not_equal(owner, old);
	assert_int_equal(nat_owner_make_earlier(NAT_OWNER_CONTAINER,
						(const char *const[]){ "web" }, 1, old,
						sizeof(old)),
			 0);
	assert_string_equal(old, "container@web");
}

/* A network's element held under its bare name (earlier versions) is its own. */
static void test_nat_owner_same_takes_a_networks_bare_name(void **state)
{
	(void)state;
	assert_true(nat_owner_same("alice", "alice"));
	assert_true(nat_owner_same("plumb0", "network@plumb0"));
	assert_true(nat_owner_same("network@plumb0", "plumb0"));
	assert_false(nat_owner_same("plumb0", "container@plumb0"));
	assert_false(nat_owner_same("web", "container@web"));
	assert_false(nat_owner_same("network@plumb1", "plumb0"));
	assert_false(nat_owner_same("network@plumb0", "network@plumb1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_elem_describe_gives_ports_addr_and_owner),
		cmocka_unit_test(test_nat_elem_describe_owner_not_utf8_is_replaced),
		cmocka_unit_test(test_nat_nomasq_describe_gives_both_prefixes),
		cmocka_unit_test(test_nat_nomasq_describe_ipv6_and_whole_space),
		cmocka_unit_test(test_nat_nomasq_parse_json_names_the_bad_entry),
		cmocka_unit_test(test_nat_nomasq_parse_stops_at_the_limit),
		cmocka_unit_test(test_nat_owner_kinds_are_apart_and_described),
		cmocka_unit_test(test_nat_owner_make_hashes_what_does_not_fit),
		cmocka_unit_test(test_nat_owner_hashed_is_no_plain_owner),
		cmocka_unit_test(test_nat_owner_same_takes_a_networks_bare_name),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
