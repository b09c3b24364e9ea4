// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ipam: the IPAM lease store, in temp dirs, and next to host-local. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <plumb/ipam.h>
#include <plumb/log.h>

#include "tmpdir.h"

#define HOST_LOCAL "/usr/lib/cni/host-local"
#define NET "net1"

struct fx {
	char dir[64]; /* data dir */
	char net[128]; /* its network dir */
	struct ipam ipam;
	struct ipam_set sets[2];
	struct ipam_lease leases[2];
	cap_t caps; /* saved by dac_drop(), NULL when not dropped */
};

/* A range set of one subnet, filled as a caller would. */
static void set_init(struct ipam_set *set, const char *subnet, const char *start,
		     const char *end)
{
	memset(set, 0, sizeof(*set));
	set->n = 1;
	assert_int_equal(inet_subnet_parse(subnet, &set->range[0].subnet), 0);
	if (start)
		assert_int_equal(inet_addr_parse(start, &set->range[0].start), 0);
	if (end)
		assert_int_equal(inet_addr_parse(end, &set->range[0].end), 0);
	assert_int_equal(ipam_range_fill(&set->range[0]), 0);
}

static void dac_restore(struct fx *f);

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[192];

	dac_restore(f);
	/* What a test made unreadable, so that nftw() can remove it. */
	chmod(f->net, 0700);
	snprintf(path, sizeof(path), "%s/plumb-index", f->net);
	chmod(path, 0700);
	ipam_close(&f->ipam);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/plumb-ipam.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	snprintf(f->net, sizeof(f->net), "%s/" NET, f->dir);
	if (ipam_open(&f->ipam, f->dir, NET) < 0) {
		teardown(state);
		return -1;
	}
	set_init(&f->sets[0], "10.1.0.0/24", NULL, NULL);
	set_init(&f->sets[1], "fd00::/64", NULL, NULL);
	log_clear();
	return 0;
}

/* Claim from the first @n sets; return the address of set 0 as text. */
static int claim(struct fx *f, size_t n, const char *id, char *addr)
{
	int ret = ipam_lease_claim(&f->ipam, f->sets, n, id, "eth0", NULL, f->leases);

	if (!ret && addr)
		inet_addr_str(&f->leases[0].addr.addr, addr, INET_ADDR_STRLEN);
	return ret;
}

static void claim_expect(struct fx *f, const char *id, const char *want)
{
	char addr[INET_ADDR_STRLEN];

	assert_int_equal(claim(f, 1, id, addr), 0);
	assert_string_equal(addr, want);
}

/* The content of a file in the network dir, "" if it is missing. */
static const char *slurp(struct fx *f, const char *name)
{
	static char buf[1024];
	char path[256];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", f->net, name);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int exists(struct fx *f, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", f->net, name);
	return lstat(path, &st) == 0;
}

/* Write a file as host-local (or a person) would. */
static void put(struct fx *f, const char *name, const char *content)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", f->net, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void assert_log_has(const char *what)
{
	if (!strstr(log_last(), what))
		fail_msg("message \"%s\" does not say \"%s\"", log_last(), what);
}

static void test_ipam_claims_are_sequential_skipping_gateway(void **state)
{
	struct fx *f = *state;
	char gw[INET_ADDR_STRLEN];

	claim_expect(f, "c1", "10.1.0.2");
	assert_int_equal(f->leases[0].addr.len, 24);
	assert_string_equal(inet_addr_str(&f->leases[0].gateway, gw, sizeof(gw)),
			    "10.1.0.1");
	assert_int_equal(f->leases[0].set, 0);
	claim_expect(f, "c2", "10.1.0.3");
	claim_expect(f, "c3", "10.1.0.4");
	assert_false(exists(f, "10.1.0.1"));
}

static void test_ipam_claim_round_robin_does_not_reuse_released_address(void **state)
{
	struct fx *f = *state;

	claim_expect(f, "c1", "10.1.0.2");
	claim_expect(f, "c2", "10.1.0.3");
	claim_expect(f, "c3", "10.1.0.4");
	assert_int_equal(ipam_lease_release(&f->ipam, "c1", "eth0"), 1);
	claim_expect(f, "c4", "10.1.0.5");
}

static void test_ipam_claim_wraps_around_to_freed_addresses(void **state)
{
	struct fx *f = *state;
	char id[8];
	int i;

	set_init(&f->sets[0], "10.1.0.0/29", NULL, NULL);
	for (i = 2; i <= 6; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(claim(f, 1, id, NULL), 0);
	}
	assert_int_equal(ipam_lease_release(&f->ipam, "c3", "eth0"), 1);
	assert_int_equal(ipam_lease_release(&f->ipam, "c5", "eth0"), 1);
	claim_expect(f, "c7", "10.1.0.3");
	claim_expect(f, "c8", "10.1.0.5");
}

static void test_ipam_small_subnet_runs_out_after_five_claims(void **state)
{
	struct fx *f = *state;
	char id[8], want[16];
	int i;

	set_init(&f->sets[0], "10.88.0.0/29", NULL, NULL);
	for (i = 2; i <= 6; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		snprintf(want, sizeof(want), "10.88.0.%d", i);
		claim_expect(f, id, want);
	}
	assert_int_equal(claim(f, 1, "c7", NULL), -EADDRNOTAVAIL);
	assert_log_has("no free address in 10.88.0.0/29");
	assert_false(exists(f, "10.88.0.7"));
	assert_false(exists(f, "plumb-index/c7:eth0"));
}

static void test_ipam_static_request_is_honoured(void **state)
{
	struct fx *f = *state;
	struct inet_addr want = { 0 };
	char addr[INET_ADDR_STRLEN];

	assert_int_equal(inet_addr_parse("10.1.0.50", &want), 0);
	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 1, "c1", "eth0", &want,
					  f->leases),
			 0);
	inet_addr_str(&f->leases[0].addr.addr, addr, sizeof(addr));
	assert_string_equal(addr, "10.1.0.50");
	assert_string_equal(slurp(f, "10.1.0.50"), "c1\r\neth0");
	assert_string_equal(slurp(f, "last_reserved_ip.0"), "10.1.0.50");
	claim_expect(f, "c2", "10.1.0.51");
}

static void test_ipam_static_request_of_taken_address_names_owner(void **state)
{
	struct fx *f = *state;
	struct inet_addr want = { 0 };

	claim_expect(f, "c1", "10.1.0.2");
	claim_expect(f, "c2", "10.1.0.3");
	assert_int_equal(inet_addr_parse("10.1.0.3", &want), 0);
	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 1, "c3", "eth0", &want,
					  f->leases),
			 -EADDRINUSE);
	assert_log_has("requested address 10.1.0.3 is already allocated to container c2");
	assert_string_equal(slurp(f, "10.1.0.3"), "c2\r\neth0");
	assert_false(exists(f, "plumb-index/c3:eth0"));
}

static void test_ipam_static_request_outside_range_or_gateway_is_refused(void **state)
{
	struct fx *f = *state;
	struct inet_addr want[2] = { 0 };

	set_init(&f->sets[0], "10.1.0.0/24", "10.1.0.10", "10.1.0.20");
	assert_int_equal(inet_addr_parse("10.1.0.30", &want[0]), 0);
	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 1, "c1", "eth0", want,
					  f->leases),
			 -EINVAL);
	assert_log_has("10.1.0.30 is outside 10.1.0.10-10.1.0.20");
	assert_int_equal(inet_addr_parse("fd00::5", &want[0]), 0);
	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 1, "c1", "eth0", want,
					  f->leases),
			 -EINVAL);
	set_init(&f->sets[0], "10.1.0.0/24", NULL, NULL);
	assert_int_equal(inet_addr_parse("10.1.0.1", &want[0]), 0);
	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 1, "c1", "eth0", want,
					  f->leases),
			 -EINVAL);
	assert_log_has("10.1.0.1 is a gateway");
	assert_false(exists(f, "10.1.0.1"));
	assert_false(exists(f, "10.1.0.30"));
}

static void test_ipam_two_sets_are_claimed_at_once(void **state)
{
	struct fx *f = *state;
	char a[INET_ADDR_STRLEN], gw[INET_ADDR_STRLEN], entry[128];

	assert_int_equal(claim(f, 2, "c1", a), 0);
	assert_string_equal(a, "10.1.0.2");
	assert_string_equal(inet_addr_str(&f->leases[1].addr.addr, a, sizeof(a)),
			    "fd00::2");
	assert_int_equal(f->leases[1].addr.len, 64);
	assert_string_equal(inet_addr_str(&f->leases[1].gateway, gw, sizeof(gw)),
			    "fd00::1");
	assert_int_equal(f->leases[1].set, 1);
	assert_string_equal(slurp(f, "fd00::2"), "c1\r\neth0");
	assert_string_equal(slurp(f, "last_reserved_ip.1"), "fd00::2");
	snprintf(entry, sizeof(entry), "boot %s\n10.1.0.2\nfd00::2\n", f->ipam.boot_id);
	assert_string_equal(slurp(f, "plumb-index/c1:eth0"), entry);
}

static void test_ipam_claim_is_all_or_nothing_when_second_set_exhausted(void **state)
{
	struct fx *f = *state;

	set_init(&f->sets[1], "fd00::/64", "fd00::10", "fd00::10");
	assert_int_equal(claim(f, 2, "c1", NULL), 0);
	assert_int_equal(claim(f, 2, "c2", NULL), -EADDRNOTAVAIL);
	assert_log_has("no free address in fd00::/64");
	assert_false(exists(f, "10.1.0.3"));
	assert_false(exists(f, "plumb-index/c2:eth0"));
	assert_true(exists(f, "10.1.0.2"));
	assert_true(exists(f, "fd00::10"));
	/* Nothing of c2 is left to release. */
	assert_int_equal(ipam_lease_release(&f->ipam, "c2", "eth0"), 0);
}

static void test_ipam_second_claim_for_same_attachment_is_eexist(void **state)
{
	struct fx *f = *state;

	claim_expect(f, "c1", "10.1.0.2");
	assert_int_equal(claim(f, 1, "c1", NULL), -EEXIST);
	assert_log_has("container c1 already holds 10.1.0.2 for eth0");
	assert_false(exists(f, "10.1.0.3"));
	assert_int_equal(
		ipam_lease_claim(&f->ipam, f->sets, 1, "c1", "eth1", NULL, f->leases), 0);
}

static void test_ipam_claim_ignores_and_removes_stale_index_entry(void **state)
{
	struct fx *f = *state;
	char entry[128];

	claim_expect(f, "c1", "10.1.0.2");
	/* host-local DEL released c1's lease, then c2 got the address. */
	put(f, "10.1.0.2", "c2\r\neth0");
	claim_expect(f, "c1", "10.1.0.3");
	snprintf(entry, sizeof(entry), "boot %s\n10.1.0.3\n", f->ipam.boot_id);
	assert_string_equal(slurp(f, "plumb-index/c1:eth0"), entry);
	assert_string_equal(slurp(f, "10.1.0.2"), "c2\r\neth0");
	/* Stale again, and this claim fails: the stale entry is gone anyway. */
	put(f, "10.1.0.3", "c3\r\neth0");
	set_init(&f->sets[0], "10.1.0.0/24", "10.1.0.2", "10.1.0.3");
	assert_int_equal(claim(f, 1, "c1", NULL), -EADDRNOTAVAIL);
	assert_false(exists(f, "plumb-index/c1:eth0"));
}

static void test_ipam_release_twice_succeeds(void **state)
{
	struct fx *f = *state;

	assert_int_equal(claim(f, 2, "c1", NULL), 0);
	assert_int_equal(ipam_lease_release(&f->ipam, "c1", "eth0"), 2);
	assert_false(exists(f, "10.1.0.2"));
	assert_false(exists(f, "fd00::2"));
	assert_false(exists(f, "plumb-index/c1:eth0"));
	assert_int_equal(ipam_lease_release(&f->ipam, "c1", "eth0"), 0);
	assert_int_equal(ipam_lease_release(&f->ipam, "never", "eth0"), 0);
}

static void test_ipam_release_finds_host_local_lease_by_scan(void **state)
{
	struct fx *f = *state;

	put(f, "10.1.0.7", "h1\r\neth0\n");
	put(f, "fd00::7", "h1\r\neth0");
	put(f, "10.1.0.8", "h1\r\neth1");
	assert_int_equal(ipam_lease_release(&f->ipam, "h1", "eth0"), 2);
	assert_false(exists(f, "10.1.0.7"));
	assert_false(exists(f, "fd00::7"));
	assert_true(exists(f, "10.1.0.8"));
}

/* An empty lease is a writer's killed between create and write: host-local's. */
static void test_ipam_scan_removes_empty_lease_of_a_killed_writer(void **state)
{
	struct fx *f = *state;

	put(f, "10.1.0.5", "");
	put(f, "10.1.0.6", " \n");
	assert_int_equal(ipam_lease_release(&f->ipam, "h1", "eth0"), 0);
	assert_false(exists(f, "10.1.0.5"));
	assert_true(exists(f, "10.1.0.6"));
}

static void test_ipam_release_removes_legacy_id_only_lease(void **state)
{
	struct fx *f = *state;

	put(f, "10.1.0.8", "h2 \n");
	put(f, "10.1.0.9", "h22");
	assert_int_equal(ipam_lease_release(&f->ipam, "h2", "eth0"), 1);
	assert_false(exists(f, "10.1.0.8"));
	assert_true(exists(f, "10.1.0.9"));
}

static void test_ipam_release_never_deletes_file_of_another_container(void **state)
{
	struct fx *f = *state;

	claim_expect(f, "c1", "10.1.0.2");
	/* host-local DEL took c1's lease, then c2 got the address. */
	put(f, "10.1.0.2", "c2\r\neth0");
	put(f, "10.1.0.3", "c10\r\neth0");
	put(f, "10.1.0.4", "c1\r\neth00");
	assert_int_equal(ipam_lease_release(&f->ipam, "c1", "eth0"), 0);
	assert_string_equal(slurp(f, "10.1.0.2"), "c2\r\neth0");
	assert_true(exists(f, "10.1.0.3"));
	assert_true(exists(f, "10.1.0.4"));
	assert_false(exists(f, "plumb-index/c1:eth0"));
}

static void test_ipam_lease_file_content_is_id_crlf_ifname(void **state)
{
	struct fx *f = *state;
	char path[256];
	struct stat st;

	claim_expect(f, "c1", "10.1.0.2");
	assert_memory_equal(slurp(f, "10.1.0.2"), "c1\r\neth0", 9);
	snprintf(path, sizeof(path), "%s/10.1.0.2", f->net);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 8);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(f->net, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/plumb-index", f->net);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_true(exists(f, "lock"));
}

static void test_ipam_last_reserved_ip_holds_last_address(void **state)
{
	struct fx *f = *state;

	assert_false(exists(f, "last_reserved_ip.0"));
	claim_expect(f, "c1", "10.1.0.2");
	claim_expect(f, "c2", "10.1.0.3");
	assert_string_equal(slurp(f, "last_reserved_ip.0"), "10.1.0.3");
	/* As host-local reads it: the next claim starts after it. */
	put(f, "last_reserved_ip.0", "10.1.0.99");
	claim_expect(f, "c3", "10.1.0.100");
	put(f, "last_reserved_ip.0", "192.168.7.7");
	claim_expect(f, "c4", "10.1.0.4");
}

static void test_ipam_new_boot_reclaims_plumb_leases_only(void **state)
{
	struct fx *f = *state;

	claim_expect(f, "old", "10.1.0.2");
	put(f, "10.1.0.100", "hl\r\neth0");
	strcpy(f->ipam.boot_id, "00000000-0000-4000-8000-000000000001");
	claim_expect(f, "new", "10.1.0.3");
	assert_false(exists(f, "10.1.0.2"));
	assert_false(exists(f, "plumb-index/old:eth0"));
	assert_string_equal(slurp(f, "10.1.0.100"), "hl\r\neth0");
	assert_string_equal(slurp(f, "plumb-boot"),
			    "00000000-0000-4000-8000-000000000001\n");
	assert_string_equal(slurp(f, "10.1.0.3"), "new\r\neth0");
}

static void test_ipam_edited_plumb_boot_spares_leases_of_this_boot(void **state)
{
	struct fx *f = *state;
	char want[64];

	claim_expect(f, "c1", "10.1.0.2");
	put(f, "plumb-boot", "something else\n");
	put(f, "plumb-index/old:eth0",
	    "boot 11111111-1111-4111-8111-111111111111\n10.1.0.50\n");
	put(f, "10.1.0.50", "old\r\neth0");
	claim_expect(f, "c2", "10.1.0.3");
	assert_true(exists(f, "10.1.0.2"));
	assert_false(exists(f, "10.1.0.50"));
	assert_false(exists(f, "plumb-index/old:eth0"));
	snprintf(want, sizeof(want), "%s\n", f->ipam.boot_id);
	assert_string_equal(slurp(f, "plumb-boot"), want);
}

/* keep a and d; release the rest */
static int keep_listed(const char *id, const char *ifname, void *arg)
{
	int *calls = arg;

	(*calls)++;
	return (!strcmp(id, "a") || !strcmp(id, "d")) && !strcmp(ifname, "eth0");
}

static void test_ipam_gc_keeps_listed_and_removes_the_rest(void **state)
{
	struct fx *f = *state;
	int calls = 0;

	claim_expect(f, "a", "10.1.0.2");
	claim_expect(f, "b", "10.1.0.3");
	assert_int_equal(claim(f, 2, "c", NULL), 0); /* 10.1.0.4, fd00::2 */
	put(f, "10.1.0.50", "d\r\neth0");
	put(f, "10.1.0.51", "e");
	put(f, "10.1.0.52", "f\r\neth0");
	put(f, "fd00::52", "f\r\neth0");
	put(f, "README", "z\r\neth0");
	put(f, "10.1.0.053", "z\r\neth0"); /* not how an address is printed */
	assert_int_equal(ipam_gc(&f->ipam, keep_listed, &calls), 4); /* b c e f */
	assert_true(calls >= 6);
	assert_true(exists(f, "10.1.0.2"));
	assert_true(exists(f, "plumb-index/a:eth0"));
	assert_true(exists(f, "10.1.0.50"));
	assert_false(exists(f, "10.1.0.3"));
	assert_false(exists(f, "10.1.0.4"));
	assert_false(exists(f, "fd00::2"));
	assert_false(exists(f, "plumb-index/b:eth0"));
	assert_false(exists(f, "plumb-index/c:eth0"));
	assert_false(exists(f, "10.1.0.51"));
	assert_false(exists(f, "10.1.0.52"));
	assert_false(exists(f, "fd00::52"));
	assert_true(exists(f, "lock"));
	assert_true(exists(f, "last_reserved_ip.0"));
	assert_true(exists(f, "last_reserved_ip.1"));
	assert_true(exists(f, "plumb-boot"));
	assert_true(exists(f, "README"));
	assert_true(exists(f, "10.1.0.053"));
}

/*
 * Take away root's power to read a directory without its r bit
 * (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) until dac_restore(); without
 * root there is nothing to drop.
 */
static void dac_drop(struct fx *f)
{
	cap_value_t dac[] = { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH };
	cap_t c;

	f->caps = cap_get_proc();
	assert_non_null(f->caps);
	c = cap_dup(f->caps);
	assert_non_null(c);
	assert_int_equal(cap_set_flag(c, CAP_EFFECTIVE, 2, dac, CAP_CLEAR), 0);
	assert_int_equal(cap_set_proc(c), 0);
	cap_free(c);
}

static void dac_restore(struct fx *f)
{
	if (!f->caps)
		return;
	cap_set_proc(f->caps);
	cap_free(f->caps);
	f->caps = NULL;
}

#define OTHER_LEASES 2000

/*
 * A claim reads the attachment's own index entry and lease files, never the
 * directory: with 2000 leases of others and the network directory and the
 * index made unlistable (mode 0300: files can still be created, opened
 * and renamed by name), claims succeed, while the scan of a release of an
 * unknown attachment and the index walk of GC fail on them. A claim that
 * scanned would also find h1's and h2's host-local leases and refuse them
 * as -EEXIST: plumb leaves that check to host-local's own ADD.
 */
static void test_ipam_claim_does_not_scan_leases(void **state)
{
	struct fx *f = *state;
	char name[INET_ADDR_STRLEN], index[192];
	struct inet_addr a;
	int i, calls = 0;

	set_init(&f->sets[0], "10.1.0.0/16", NULL, NULL);
	claim_expect(f, "c0", "10.1.0.2"); /* this boot's plumb-boot */
	assert_int_equal(inet_addr_parse("10.1.0.3", &a), 0);
	for (i = 0; i < OTHER_LEASES; i++, inet_addr_add(&a, 1)) {
		inet_addr_str(&a, name, sizeof(name));
		put(f, name, i == 100 ? "h1\r\neth0" : i == 200 ? "h2" : "other\r\neth0");
	}
	put(f, "last_reserved_ip.0", name); /* as host-local leaves it */
	inet_addr_str(&a, name, sizeof(name)); /* the one after: free */

	snprintf(index, sizeof(index), "%s/plumb-index", f->net);
	assert_int_equal(chmod(f->net, 0300), 0);
	assert_int_equal(chmod(index, 0300), 0);
	dac_drop(f);
	claim_expect(f, "h1", name);
	assert_int_equal(claim(f, 1, "h2", NULL), 0);
	assert_int_equal(claim(f, 1, "h1", NULL), -EEXIST); /* by its entry */
	assert_log_has("container h1 already holds");
	/* The traps work: what does read every lease or entry fails. */
	assert_int_equal(ipam_lease_release(&f->ipam, "nobody", "eth0"), -EACCES);
	assert_log_has("read lease directory");
	assert_int_equal(ipam_gc(&f->ipam, keep_listed, &calls), -EACCES);
	assert_log_has("read plumb-index");
	dac_restore(f);
	assert_int_equal(chmod(f->net, 0700), 0);
	assert_int_equal(chmod(index, 0700), 0);
	assert_string_equal(slurp(f, "10.1.0.103"), "h1\r\neth0");
	assert_string_equal(slurp(f, "10.1.0.203"), "h2");
}

static void test_ipam_find_returns_prefix_and_gateway(void **state)
{
	struct fx *f = *state;
	struct ipam_lease found[4];
	char a[INET_PREFIX_STRLEN], gw[INET_ADDR_STRLEN];

	assert_int_equal(claim(f, 2, "c1", NULL), 0);
	assert_int_equal(ipam_lease_find(&f->ipam, f->sets, 2, "c1", "eth0", found, 4),
			 2);
	assert_string_equal(inet_prefix_str(&found[0].addr, a, sizeof(a)), "10.1.0.2/24");
	assert_string_equal(inet_addr_str(&found[0].gateway, gw, sizeof(gw)), "10.1.0.1");
	assert_string_equal(inet_prefix_str(&found[1].addr, a, sizeof(a)), "fd00::2/64");
	assert_int_equal(found[1].set, 1);
	/* Only the first set given: the IPv6 lease fits no range. */
	assert_int_equal(ipam_lease_find(&f->ipam, f->sets, 1, "c1", "eth0", found, 4),
			 1);
	assert_int_equal(ipam_lease_find(&f->ipam, f->sets, 2, "c1", "eth1", found, 4),
			 0);
	assert_int_equal(ipam_lease_find(&f->ipam, f->sets, 2, "c1", "eth0", found, 1),
			 1);
}

static void test_ipam_find_reads_host_local_leases(void **state)
{
	struct fx *f = *state;
	struct ipam_lease found[4];
	char a[INET_PREFIX_STRLEN];

	put(f, "fd00::9", "h1\r\neth0");
	put(f, "10.1.0.9", "h1\r\neth0");
	put(f, "10.2.0.9", "h1\r\neth0"); /* in no range */
	assert_int_equal(ipam_lease_find(&f->ipam, f->sets, 2, "h1", "eth0", found, 4),
			 2);
	assert_string_equal(inet_prefix_str(&found[0].addr, a, sizeof(a)), "10.1.0.9/24");
	assert_string_equal(inet_prefix_str(&found[1].addr, a, sizeof(a)), "fd00::9/64");
}

static void test_ipam_claim_skips_address_host_local_took(void **state)
{
	struct fx *f = *state;

	put(f, "10.1.0.2", "h1\r\neth0");
	claim_expect(f, "c1", "10.1.0.3");
	assert_string_equal(slurp(f, "10.1.0.2"), "h1\r\neth0");
}

static void test_ipam_symlinked_network_dir_is_refused(void **state)
{
	struct fx *f = *state;
	struct ipam other;
	char path[128];

	snprintf(path, sizeof(path), "%s/net2", f->dir);
	assert_int_equal(symlink(NET, path), 0);
	assert_int_equal(ipam_open(&other, f->dir, "net2"), -ELOOP);
	assert_log_has("net2 is a symlink");
	assert_int_equal(other.dirfd, -1);
	assert_int_equal(other.lockfd, -1);
}

static void test_ipam_symlinked_data_dir_is_refused(void **state)
{
	struct fx *f = *state;
	struct ipam other;
	char path[128];

	snprintf(path, sizeof(path), "%s/link", f->dir);
	assert_int_equal(symlink(f->dir, path), 0);
	assert_int_equal(ipam_open(&other, path, NET), -ELOOP);
	assert_log_has("link is a symlink");
	assert_int_equal(other.dirfd, -1);
}

static void test_ipam_network_dir_writable_by_others_is_refused(void **state)
{
	struct fx *f = *state;
	struct ipam other;
	char path[192];

	assert_int_equal(chmod(f->net, 0777), 0);
	assert_int_equal(ipam_open(&other, f->dir, NET), -EPERM);
	assert_log_has(NET " is writable by others; refusing it");
	assert_int_equal(other.dirfd, -1);
	assert_int_equal(other.lockfd, -1);
	assert_int_equal(chmod(f->net, 0700), 0);
	snprintf(path, sizeof(path), "%s/plumb-index", f->net);
	assert_int_equal(chmod(path, 0720), 0);
	log_clear();
	assert_int_equal(ipam_open(&other, f->dir, NET), -EPERM);
	assert_log_has("plumb-index is writable by others");
	assert_int_equal(chmod(path, 0700), 0);
	assert_int_equal(ipam_open(&other, f->dir, NET), 0);
	ipam_close(&other);
}

static void test_ipam_network_dir_of_another_user_is_refused(void **state)
{
	struct fx *f = *state;
	struct ipam other;

	if (geteuid() != 0)
		skip(); /* only root can give a directory away */
	assert_int_equal(chown(f->net, 65534, 65534), 0);
	assert_int_equal(ipam_open(&other, f->dir, NET), -EPERM);
	assert_log_has(NET " belongs to user 65534, not to us; refusing it");
	assert_int_equal(other.dirfd, -1);
	assert_int_equal(other.lockfd, -1);
}

static void test_ipam_open_refuses_bad_network_name(void **state)
{
	struct fx *f = *state;
	struct ipam other;

	assert_int_equal(ipam_open(&other, f->dir, ".."), -EINVAL);
	assert_int_equal(ipam_open(&other, f->dir, "a/b"), -EINVAL);
	assert_int_equal(ipam_open(&other, f->dir, ""), -EINVAL);
}

static void test_ipam_open_creates_missing_data_dirs(void **state)
{
	struct fx *f = *state;
	struct ipam other;
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c", f->dir);
	assert_int_equal(ipam_open(&other, path, NET), 0);
	ipam_close(&other);
	ipam_close(&other);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void test_ipam_claim_refuses_bad_attachment(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 1, "a:b", "eth0", NULL,
					  f->leases),
			 -EINVAL);
	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 1, "c1", "eth:0", NULL,
					  f->leases),
			 -EINVAL);
	assert_int_equal(ipam_lease_claim(&f->ipam, f->sets, 0, "c1", "eth0", NULL,
					  f->leases),
			 -EINVAL);
	assert_false(exists(f, "10.1.0.2"));
}

static void test_ipam_busy_lock_times_out(void **state)
{
	struct fx *f = *state;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", f->net);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	f->ipam.lock_timeout_ms = 30;
	assert_int_equal(claim(f, 1, "c1", NULL), -ETIMEDOUT);
	assert_log_has("lock busy");
	assert_false(exists(f, "10.1.0.2"));
	close(fd);
	claim_expect(f, "c1", "10.1.0.2");
}

static void test_ipam_range_fill_sets_defaults(void **state)
{
	struct ipam_range r = { 0 };
	char a[INET_ADDR_STRLEN];

	(void)state;
	assert_int_equal(inet_subnet_parse("10.88.0.0/16", &r.subnet), 0);
	assert_int_equal(ipam_range_fill(&r), 0);
	assert_string_equal(inet_addr_str(&r.gateway, a, sizeof(a)), "10.88.0.1");
	assert_string_equal(inet_addr_str(&r.start, a, sizeof(a)), "10.88.0.1");
	assert_string_equal(inet_addr_str(&r.end, a, sizeof(a)), "10.88.255.254");
	assert_int_equal(ipam_range_fill(&r), 0); /* again: unchanged */
	assert_string_equal(inet_addr_str(&r.end, a, sizeof(a)), "10.88.255.254");

	memset(&r, 0, sizeof(r));
	assert_int_equal(inet_subnet_parse("fd00:1::/126", &r.subnet), 0);
	assert_int_equal(ipam_range_fill(&r), 0);
	assert_string_equal(inet_addr_str(&r.gateway, a, sizeof(a)), "fd00:1::1");
	assert_string_equal(inet_addr_str(&r.end, a, sizeof(a)), "fd00:1::3");
}

static void fill_expect(const char *subnet, const char *start, const char *end,
			const char *gw, const char *msg)
{
	struct ipam_range r = { 0 };

	assert_int_equal(inet_prefix_parse(subnet, &r.subnet), 0);
	if (start)
		assert_int_equal(inet_addr_parse(start, &r.start), 0);
	if (end)
		assert_int_equal(inet_addr_parse(end, &r.end), 0);
	if (gw)
		assert_int_equal(inet_addr_parse(gw, &r.gateway), 0);
	log_clear();
	assert_int_equal(ipam_range_fill(&r), -EINVAL);
	assert_log_has(msg);
}

static void test_ipam_range_fill_refuses_bad_ranges(void **state)
{
	(void)state;
	fill_expect("10.0.0.0/31", NULL, NULL, NULL, "10.0.0.0/31 is too small");
	fill_expect("10.0.0.0/32", NULL, NULL, NULL, "too small");
	fill_expect("fd00::/127", NULL, NULL, NULL, "fd00::/127 is too small");
	fill_expect("10.0.0.1/24", NULL, NULL, NULL, "host bits");
	fill_expect("10.0.0.0/24", "10.0.1.5", NULL, NULL,
		    "range start 10.0.1.5 is outside subnet 10.0.0.0/24");
	fill_expect("10.0.0.0/24", NULL, "10.0.1.5", NULL,
		    "range end 10.0.1.5 is outside");
	fill_expect("10.0.0.0/24", NULL, NULL, "10.0.1.1", "gateway 10.0.1.1 is outside");
	fill_expect("10.0.0.0/24", "10.0.0.9", "10.0.0.8", NULL,
		    "range start 10.0.0.9 is after range end 10.0.0.8");
	fill_expect("10.0.0.0/24", NULL, "10.0.0.255", NULL, "broadcast");
	fill_expect("10.0.0.0/24", "10.0.0.0", NULL, NULL, "subnet 10.0.0.0/24 itself");
}

#define CHILDREN 16

static void test_ipam_concurrent_claims_get_distinct_addresses(void **state)
{
	struct fx *f = *state;
	struct ipam_lease found[1];
	char seen[CHILDREN][INET_ADDR_STRLEN], id[16];
	pid_t pids[CHILDREN];
	int go[2], i, j, status, files = 0;

	assert_int_equal(pipe(go), 0);
	for (i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct ipam_lease lease;
			struct ipam own;
			char c;

			close(go[1]);
			snprintf(id, sizeof(id), "k%d", i);
			if (read(go[0], &c, 1) < 0 || ipam_open(&own, f->dir, NET) < 0)
				_exit(2);
			if (ipam_lease_claim(&own, f->sets, 1, id, "eth0", NULL, &lease))
				_exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]); /* all start at once */
	for (i = 0; i < CHILDREN; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (i = 0; i < CHILDREN; i++) {
		snprintf(id, sizeof(id), "k%d", i);
		assert_int_equal(
			ipam_lease_find(&f->ipam, f->sets, 1, id, "eth0", found, 1), 1);
		inet_addr_str(&found[0].addr.addr, seen[i], sizeof(seen[i]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	for (i = 2; i < 2 + CHILDREN + 4; i++) {
		snprintf(id, sizeof(id), "10.1.0.%d", i);
		files += exists(f, id);
	}
	assert_int_equal(files, CHILDREN);
}

/*
 * Run the reference plugin on our store. Return its exit status; its stdout
 * (the result or error JSON) is left in @out.
 */
static int host_local(struct fx *f, const char *cmd, const char *id, char *out,
		      size_t size)
{
	char conf[512], env_cmd[32], env_id[64];
	char *const argv[] = { HOST_LOCAL, NULL };
	char *const envp[] = { env_cmd,
			       env_id,
			       "CNI_NETNS=/proc/self/ns/net",
			       "CNI_IFNAME=eth0",
			       "CNI_PATH=/usr/lib/cni",
			       NULL };
	int in[2], res[2], status, n;
	size_t len = 0;
	ssize_t got;
	pid_t pid;

	n = snprintf(conf, sizeof(conf),
		     "{\"cniVersion\":\"1.0.0\",\"name\":\"" NET "\",\"ipam\":{\"type\":"
		     "\"host-local\",\"dataDir\":\"%s\",\"ranges\":[[{\"subnet\":"
		     "\"10.1.0.0/24\"}]]}}",
		     f->dir);
	snprintf(env_cmd, sizeof(env_cmd), "CNI_COMMAND=%s", cmd);
	snprintf(env_id, sizeof(env_id), "CNI_CONTAINERID=%s", id);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(res), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		close(in[1]);
		close(res[0]);
		execve(HOST_LOCAL, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	assert_int_equal(write(in[1], conf, (size_t)n), n);
	close(in[1]);
	while (len < size - 1 && (got = read(res[0], out + len, size - 1 - len)) > 0)
		len += (size_t)got;
	out[len] = '\0';
	close(res[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_ipam_shares_store_with_host_local(void **state)
{
	struct fx *f = *state;
	struct ipam_lease found[1];
	char out[4096];

	if (access(HOST_LOCAL, X_OK) < 0)
		skip();
	/* host-local first: plumb skips its address and reads its file. */
	assert_int_equal(host_local(f, "ADD", "href", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"10.1.0.2/24\""));
	assert_string_equal(slurp(f, "10.1.0.2"), "href\r\neth0");
	claim_expect(f, "c1", "10.1.0.3");
	assert_int_equal(ipam_lease_find(&f->ipam, f->sets, 1, "href", "eth0", found, 1),
			 1);
	/* host-local follows plumb's last_reserved_ip and skips its lease. */
	assert_int_equal(host_local(f, "ADD", "h2", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"10.1.0.4/24\""));
	/* host-local refuses a second ADD of an attachment plumb made. */
	assert_int_not_equal(host_local(f, "ADD", "c1", out, sizeof(out)), 0);
	/* host-local DEL releases plumb's lease; plumb's release is then a no-op. */
	assert_int_equal(host_local(f, "DEL", "c1", out, sizeof(out)), 0);
	assert_false(exists(f, "10.1.0.3"));
	assert_int_equal(ipam_lease_release(&f->ipam, "c1", "eth0"), 0);
	assert_false(exists(f, "plumb-index/c1:eth0"));
	/* plumb releases host-local's lease by scan. */
	assert_int_equal(ipam_lease_release(&f->ipam, "href", "eth0"), 1);
	assert_false(exists(f, "10.1.0.2"));
	assert_true(exists(f, "10.1.0.4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_ipam_claims_are_sequential_skipping_gateway),
		T(test_ipam_claim_round_robin_does_not_reuse_released_address),
		T(test_ipam_claim_wraps_around_to_freed_addresses),
		T(test_ipam_small_subnet_runs_out_after_five_claims),
		T(test_ipam_static_request_is_honoured),
		T(test_ipam_static_request_of_taken_address_names_owner),
		T(test_ipam_static_request_outside_range_or_gateway_is_refused),
		T(test_ipam_two_sets_are_claimed_at_once),
		T(test_ipam_claim_is_all_or_nothing_when_second_set_exhausted),
		T(test_ipam_second_claim_for_same_attachment_is_eexist),
		T(test_ipam_claim_ignores_and_removes_stale_index_entry),
		T(test_ipam_claim_does_not_scan_leases),
		T(test_ipam_release_twice_succeeds),
		T(test_ipam_release_finds_host_local_lease_by_scan),
		T(test_ipam_scan_removes_empty_lease_of_a_killed_writer),
		T(test_ipam_release_removes_legacy_id_only_lease),
		T(test_ipam_release_never_deletes_file_of_another_container),
		T(test_ipam_lease_file_content_is_id_crlf_ifname),
		T(test_ipam_last_reserved_ip_holds_last_address),
		T(test_ipam_new_boot_reclaims_plumb_leases_only),
		T(test_ipam_edited_plumb_boot_spares_leases_of_this_boot),
		T(test_ipam_gc_keeps_listed_and_removes_the_rest),
		T(test_ipam_find_returns_prefix_and_gateway),
		T(test_ipam_find_reads_host_local_leases),
		T(test_ipam_claim_skips_address_host_local_took),
		T(test_ipam_symlinked_network_dir_is_refused),
		T(test_ipam_symlinked_data_dir_is_refused),
		T(test_ipam_network_dir_writable_by_others_is_refused),
		T(test_ipam_network_dir_of_another_user_is_refused),
		T(test_ipam_open_refuses_bad_network_name),
		T(test_ipam_open_creates_missing_data_dirs),
		T(test_ipam_claim_refuses_bad_attachment),
		T(test_ipam_busy_lock_times_out),
		T(test_ipam_range_fill_sets_defaults),
		T(test_ipam_range_fill_refuses_bad_ranges),
		T(test_ipam_concurrent_claims_get_distinct_addresses),
		T(test_ipam_shares_store_with_host_local),
#undef T
	};

	log_test_mute(1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
