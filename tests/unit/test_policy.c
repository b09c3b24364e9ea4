// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_policy: the administrator's policy (lib/policy.c): its file read and
 * checked whole, its defaults, and containers' annotations held against it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <plumb/log.h>
#include <plumb/policy.h>

static int setup(void **state)
{
	(void)state;
	log_test_mute(1);
	return 0;
}

/* Read @text as a policy file. */
static int policy_of(struct policy *p, const char *text)
{
	int fd = memfd_create("policy", MFD_CLOEXEC), ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = policy_read_fd(p, fd, "test");
	close(fd);
	return ret;
}

/* A container whose annotations are @json. */
static int check(const struct policy *p, const char *json, struct policy_net *n)
{
	struct oci_state s = { .id = "c1", .pid = 1 };
	struct policy_choice c;
	int ret;

	s.json = json_pack("{s:o}", "annotations", json_loads(json, 0, NULL));
	assert_non_null(s.json);
	ret = policy_check(p, &s, n, &c);
	json_decref(s.json);
	return ret;
}

static void test_policy_without_file_is_the_hooks_network_and_its_defaults(void **state)
{
	struct policy p = { 0 };
	struct policy_net n;

	(void)state;
	assert_int_equal(policy_hook_net(&p, "plumb0", "plumb0", "10.88.0.0/16", NULL, 0),
			 0);
	assert_int_equal(check(&p, "{}", &n), 0);
	assert_string_equal(n.name, "plumb0");
	assert_int_equal(check(&p, "{\"plumb.network\": \"plumb0\"}", &n), 0);
	assert_int_equal(check(&p, "{\"plumb.network\": \"evil0\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.subnet\": \"10.88.0.0/16\"}", &n), 0);
	assert_int_equal(check(&p, "{\"plumb.subnet\": \"8.8.8.0/24\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.ip\": \"10.88.0.9\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.mac\": \"02:00:00:00:00:01\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.mtu\": \"68\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.masquerade\": \"true\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.masquerade\": \"false\"}", &n), 0);
	/* Ports: from 1024 up, 32 at most. */
	assert_int_equal(check(&p, "{\"plumb.publish\": \"8080:80\"}", &n), 0);
	assert_int_equal(check(&p, "{\"plumb.publish\": \"22:22/tcp\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.publish\": \"1023:80\"}", &n), -EPERM);
	assert_int_equal(check(&p, "{\"plumb.publish\": \"2000-2031:2000-2031\"}", &n),
			 0);
	assert_int_equal(check(&p, "{\"plumb.publish\": \"2000-2032:2000-2032\"}", &n),
			 -EPERM);
	assert_int_equal(check(&p, "{\"plumb.publish\": \"x\"}", &n), -EINVAL);
}

static void test_policy_file_declares_networks_and_what_they_allow(void **state)
{
	struct policy p;
	struct policy_net n;

	(void)state;
	assert_int_equal(
		policy_of(&p,
			  "{\"networks\": {\"web\": {\"bridge\": \"web0\", "
			  "\"subnets\": [\"10.90.0.0/24\", \"fd00:90::/64\"], "
			  "\"foreignBridge\": true, \"annotations\": {\"plumb.ip\": true, "
			  "\"plumb.publish\": {\"ports\": [\"80\", 443, \"8000-8999\"], "
			  "\"max\": 2}}}}}"),
		0);
	assert_int_equal(policy_net_find(&p, "web", &n), 1);
	assert_string_equal(n.bridge, "web0");
	assert_string_equal(n.subnet_str[0], "10.90.0.0/24");
	assert_string_equal(n.subnet_str[1], "fd00:90::/64");
	assert_true(n.foreign_bridge);
	assert_true(n.allow_ip);
	assert_false(n.allow_mac);
	assert_int_equal(policy_net_find(&p, "plumb0", &n), 0);
	/* Without a network of the hook's, plumb.network is needed. */
	assert_int_equal(check(&p, "{}", &n), -EPERM);
	assert_int_equal(
		check(&p, "{\"plumb.network\": \"web\", \"plumb.ip\": \"10.90.0.9\"}",
		      &n),
		0);
	/* What it allows is checked as its option would be. */
	assert_int_equal(check(&p, "{\"plumb.network\": \"web\", \"plumb.ip\": \"x\"}",
			       &n),
			 -EINVAL);
	assert_string_equal(log_last(), "annotation plumb.ip: invalid address \"x\": "
					"want auto or an IPv4 address in 10.90.0.0/24");
	assert_int_equal(
		check(&p, "{\"plumb.network\": \"web\", \"plumb.ip\": \"10.91.0.9\"}",
		      &n),
		-EINVAL);
	assert_int_equal(check(&p,
			       "{\"plumb.network\": \"web\", "
			       "\"plumb.publish\": \"80:80,443:443\"}",
			       &n),
			 0);
	assert_int_equal(check(&p,
			       "{\"plumb.network\": \"web\", "
			       "\"plumb.publish\": \"80:80,443:443,8000:80\"}",
			       &n),
			 -EPERM);
	assert_int_equal(check(&p,
			       "{\"plumb.network\": \"web\", "
			       "\"plumb.publish\": \"1024:80\"}",
			       &n),
			 -EPERM);
	/* The file's network of the hook's name wins over the hook's. */
	assert_int_equal(policy_hook_net(&p, "web", "other", "10.99.0.0/16", NULL, 0), 0);
	assert_int_equal(check(&p, "{}", &n), 0);
	assert_string_equal(n.bridge, "web0");
	policy_free(&p);
}

static void test_policy_file_that_says_anything_unknown_is_refused(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"network\": {}}",
		"{\"networks\": []}",
		"{\"networks\": {\"-x\": {\"subnets\": [\"10.0.0.0/8\"]}}}",
		"{\"networks\": {\"n\": {}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"fd00::/64\"]}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.1/8\"]}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\", \"10.1.0.0/16\"]}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], \"isolated\": true}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], \"isolate\": 1}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"directAccess\": \"yes\"}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"bridge\": \"a-name-too-long-for-a-link\"}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"annotations\": {\"plumb.netns-name\": true}}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"annotations\": {\"plumb.publish\": {\"ports\": [\"0-10\"]}}}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"annotations\": {\"plumb.publish\": {\"ports\": [\"9-8\"]}}}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"annotations\": {\"plumb.publish\": {\"max\": -1}}}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"annotations\": {\"plumb.publish\": {\"count\": 1}}}}}",
		"{\"networks\": {\"n\": {\"subnets\": [\"10.0.0.0/8\"], "
		"\"foreignBridge\": 1}}}",
	};
	struct policy p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (policy_of(&p, bad[i]) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_null(p.json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_policy_without_file_is_the_hooks_network_and_its_defaults),
		cmocka_unit_test(test_policy_file_declares_networks_and_what_they_allow),
		cmocka_unit_test(test_policy_file_that_says_anything_unknown_is_refused),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
