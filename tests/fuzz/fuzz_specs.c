// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_specs: what users type on the command line and in annotations:
 * publish specifications (lib/nat_spec.c), addresses and prefixes
 * (lib/inet.c), namespace, interface, network and owner names, MAC addresses
 * and numbers.
 *
 * Input: strings separated by NULs (at most FZ_ARGS of them). Every string
 * goes to every parser; a publish takes two neighbours as HOST and TARGET,
 * the short form its string and the container address of the next one.
 * What parses is also printed, turned into elements and records and read
 * back, which must give the same mapping.
 */
#include <assert.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <plumb/cmd.h>
#include <plumb/inet.h>
#include <plumb/ipam.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/nat.h>
#include <plumb/netns.h>

#include "fuzz.h"

#define FZ_ARGS 8

static struct nft_elem fz_elems[2 * NAT_PORTS_MAX];

static void fz_pub_use(const struct nat_pub *p)
{
	char name[128], a[INET_ADDR_STRLEN];
	struct nat_pub back;
	json_t *rec, *desc;
	size_t n, i;

	assert(p->port >= 1 && p->port <= p->port_end);
	assert(p->port_end - p->port < NAT_PORTS_MAX);
	assert(p->to_port >= 1 && p->to_port + (p->port_end - p->port) <= 65535);
	assert(!p->host.family || p->host.family == p->addr.family);
	inet_addr_str(&p->addr, a, sizeof(a));
	nat_pub_record_name(p, name, sizeof(name));

	n = nat_pub_elems(p, "fuzz/owner/eth0", fz_elems);
	assert(n == p->port_end - p->port + 1u);
	for (i = 0; i < n; i += n - i > 1 ? n - i - 1 : 1) {
		assert(nat_elem_describe(&fz_elems[i], &desc) == 0);
		json_decref(desc);
	}

	rec = nat_pub_to_json(p);
	assert(rec);
	assert(nat_pub_from_json(rec, &back) == 0);
	assert(back.proto == p->proto && back.port == p->port &&
	       back.port_end == p->port_end && back.to_port == p->to_port &&
	       back.localhost == p->localhost);
	assert(back.host.family == p->host.family &&
	       (!p->host.family || inet_addr_eq(&back.host, &p->host)));
	assert(inet_addr_eq(&back.addr, &p->addr));
	json_decref(rec);
}

static void fz_pub(const char *host, const char *target, const char *next)
{
	static const struct inet_addr v4 = { .family = AF_INET, .b = { 10, 88, 0, 2 } };
	static const struct inet_addr v6 = { .family = AF_INET6,
					     .b = { 0xfd, [15] = 2 } };
	struct inet_prefix ips[2] = { { .addr = v4 }, { .addr = v6 } };
	struct nat_pub p;

	if (nat_pub_parse(host, target, &p) == 0)
		fz_pub_use(&p);
	if (inet_addr_parse(next, &ips[0].addr) < 0 && strlen(next) & 1) {
		ips[0].addr = v6;
		ips[1].addr = v4;
	}
	if (nat_pub_parse_short(host, ips, 2, &p) == 0)
		fz_pub_use(&p);
}

static void fz_prefix(const char *s)
{
	char buf[INET_PREFIX_STRLEN], name[128];
	struct ipam_range r = { 0 };
	struct inet_prefix p, q;
	struct inet_addr last;
	struct nft_elem e;

	if (inet_prefix_parse(s, &p) == 0) {
		/* Printed and parsed again, a prefix is the same prefix. */
		inet_prefix_str(&p, buf, sizeof(buf));
		assert(inet_prefix_parse(buf, &q) == 0);
		assert(inet_addr_eq(&p.addr, &q.addr) && p.len == q.len);
		inet_prefix_mask(&q);
		assert(!inet_prefix_has_host_bits(&q));
		assert(inet_prefix_contains(&q, &p.addr));
	}
	if (inet_subnet_parse(s, &p) == 0) {
		nat_masq_elem(&p, "fuzz", &e);
		nat_masq_record_name(&p, name, sizeof(name));
		inet_prefix_last(&p, &last);
		assert(inet_prefix_contains(&p, &last));
		r.subnet = p;
		if (ipam_range_fill(&r) == 0) {
			assert(inet_prefix_contains(&p, &r.start));
			assert(inet_prefix_contains(&p, &r.end));
			assert(inet_addr_cmp(&r.start, &r.end) <= 0);
		}
	}
}

static void fz_one(const char *s)
{
	char path[PATH_MAX], small[24], buf[INET_ADDR_STRLEN];
	struct inet_addr a, b;
	unsigned long v;
	uint8_t mac[6];

	fz_prefix(s);
	if (inet_addr_parse(s, &a) == 0) {
		inet_addr_str(&a, buf, sizeof(buf));
		assert(inet_addr_parse(buf, &b) == 0 && inet_addr_eq(&a, &b));
	}
	if (netns_spec_path(s, path, sizeof(path)) == 0)
		assert(strlen(path) < sizeof(path));
	(void)netns_spec_path(s, small, sizeof(small));
	(void)netns_name_check(s);
	(void)nl_link_name_check(s);
	if (nl_link_mac_parse(s, mac) == 0) {
		nl_link_mac_str(mac, small, sizeof(small));
		assert(!strcasecmp(small, s));
	}
	(void)name_check("container id", s);
	(void)nat_owner_check(s);
	if (cmd_parse_uint("MTU", s, 68, 65535, &v) == 0)
		assert(v >= 68 && v <= 65535);
	(void)cmd_parse_uint("number", s, 0, ULONG_MAX, &v);
	json_decref(json_string_lossy(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *arg[FZ_ARGS + 1], *p, *end;
	size_t n = 0, i;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	end = copy + size;
	for (p = copy; n < FZ_ARGS && p <= end; p += strlen(p) + 1)
		arg[n++] = p;
	arg[n] = n ? arg[n - 1] : copy;

	for (i = 0; i < n; i++) {
		fz_one(arg[i]);
		fz_pub(arg[i], arg[i + 1], arg[i + 1]);
	}
	free(copy);
	return 0;
}
