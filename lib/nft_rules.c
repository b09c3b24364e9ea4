// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_rules: plumb's table, built once and never changed. In nft's words:
 *
 *	table inet plumb {
 *		comment "made by plumb-nat; changed only through it; layout 2"
 *		set masq4 { type ipv4_addr; flags interval; counter; }	(and masq6)
 *		map pub4 { type inet_proto . inet_service : ipv4_addr . inet_service;
 *			   counter; }
 *		map pubaddr4 { type ipv4_addr . inet_proto . inet_service :
 *			       ipv4_addr . inet_service; counter; }	(and pub6, pubaddr6)
 *		map publocal4 { type inet_proto . inet_service : ipv4_addr . inet_service;
 *				counter; }
 *		set nomasq4 { type ipv4_addr . ipv4_addr; flags interval; }
 *							(and nomasq6)
 *		set localnet { type ifname; }
 *		set samebr { type ifname . ifname; }
 *		set isolated { type ifname; }	(and guarded)
 *		set hairpin4 { type ipv4_addr; flags interval; }	(and hairpin6)
 *
 *		chain prerouting { type nat hook prerouting priority dstnat;
 *			fib daddr type local goto published }
 *		chain output { type nat hook output priority -100;
 *			ip daddr 127.0.0.0/8 dnat ip to meta l4proto . th dport map @publocal4
 *			ip daddr 127.0.0.0/8 return
 *			ip6 daddr ::1 return
 *			fib daddr type local goto published }
 *		chain published {
 *			dnat ip to ip daddr . meta l4proto . th dport map @pubaddr4
 *			dnat ip to meta l4proto . th dport map @pub4
 *			dnat ip6 to ip6 daddr . meta l4proto . th dport map @pubaddr6
 *			dnat ip6 to meta l4proto . th dport map @pub6 }
 *		chain postrouting { type nat hook postrouting priority srcnat;
 *			ip saddr 127.0.0.0/8 ct status dnat masquerade
 *			ct status dnat ip saddr @masq4 masquerade
 *			ct status dnat ip saddr @hairpin4 masquerade
 *			ip saddr . ip daddr @nomasq4 return
 *			ip daddr != @masq4 ip saddr @masq4 masquerade
 *			ct status dnat ip6 saddr @masq6 masquerade
 *			ct status dnat ip6 saddr @hairpin6 masquerade
 *			ip6 saddr . ip6 daddr @nomasq6 return
 *			ip6 daddr != @masq6 ip6 saddr @masq6 masquerade }
 *		chain guard { type filter hook prerouting priority raw;
 *			iifname @localnet ip saddr 127.0.0.0/8 drop
 *			iifname @localnet ip daddr 127.0.0.0/8 drop }
 *		chain forward { type filter hook forward priority filter;
 *			iifname . oifname @samebr accept
 *			ct status dnat accept
 *			ct direction reply accept
 *			iifname @isolated oifgroup 0x706c drop
 *			oifname @isolated iifgroup 0x706c drop
 *			ip daddr . ip saddr @nomasq4 accept
 *			ip6 daddr . ip6 saddr @nomasq6 accept
 *			oifname @guarded drop }
 *	}
 *
 * Why each rule:
 * - Published ports are DNATed only for traffic addressed to this host
 *   (fib daddr type local), from outside (prerouting) and from the host
 *   itself (output). Loopback addresses are left out of that: a packet from
 *   127.0.0.1 sent to a container is dropped by the kernel, unless the
 *   mapping was published for localhost (publocal4) and route_localnet is on
 *   for the container's bridge.
 * - "ct status dnat ... masquerade" is the hairpin: a container that reaches
 *   a published port through the host's address must see the reply come back
 *   through the host, so its source is rewritten too.
 * - Masquerade applies to traffic leaving the container subnets, never to
 *   traffic between them.
 * - nomasq4 and nomasq6 say, per network, where its traffic leaves without
 *   masquerade (the CNI key "nonMasqueradeCIDRs", as ip-masq-agent names
 *   it; --no-masquerade-to): an element is a network's subnet and one such
 *   destination, "10.244.1.0/24 . 10.244.0.0/16", with the network as its
 *   owner. Pods on other nodes see a pod's own address, as Kubernetes
 *   requires, and what leaves the cluster is masqueraded as before. The set
 *   is a concatenation of two ranges (the kernel's pipapo backend): one
 *   lookup, whatever the number of networks and destinations, and no rule
 *   per destination. The hairpin rules come first: a pod that reaches its
 *   own published port must still see the reply come back through the host.
 *   The same elements are each network's peers: looked up the other way
 *   round, "ip daddr . ip saddr @nomasq4" holds for a packet from inside a
 *   network's peers to an address of the network. Nothing is counted in
 *   them: a lookup from a filter chain would count packets, not connections.
 * - hairpin4 and hairpin6 hold the subnets of networks whose bridge plumb
 *   did not make (the reference "bridge" plugin's, with plumb-nat as the
 *   portmap of the chain) and which are not masqueraded: a container that
 *   reaches its own published port must see the reply come back through
 *   the host all the same.
 * - route_localnet makes a bridge accept 127.0.0.0/8 addresses from its
 *   containers as well; the guard drops those, before conntrack
 *   (kubernetes#90259).
 * - forward is the forwarding policy of the networks that ask for one
 *   (lib/nat_net.c). A network's bridge B is in samebr as "B . B", and in
 *   isolated, guarded, or both. What stays within a bridge (routed back to
 *   it, or seen here at all because bridge netfilter is on), what a
 *   published port DNATed (from wherever: another network reaches a
 *   published port through the host's address), and the answers to what
 *   was let through pass; then an isolated network's bridge exchanges
 *   nothing with another of plumb's bridges (interface group 0x706c, which
 *   every bridge plumb made or serves is in), and nothing reaches a guarded
 *   network's bridge from any other interface: no "direct access" to a
 *   container's address from outside, even from a neighbour that routes
 *   the container subnets to this host, but from the network's peers (its
 *   nonMasqueradeCIDRs: pods of other nodes). The rules name sets, so they
 *   are the same with one network or a thousand.
 *
 * The comment names the layout, NFT_LAYOUT, which goes up with every change
 * to what this file makes: a table an earlier plumb-nat made lacks sets or
 * rules of this one, and is made again from plumb's records, in one
 * transaction, by the first change or reconcile that sees it (nat_table.c).
 *
 * The rules name sets, never elements: adding a container or a port adds
 * elements, so the rule count is the same with one container or ten
 * thousand, and each packet does one hash lookup per map.
 *
 * Each element of the masquerade sets and the maps of published ports gets
 * a counter of its own (the set's "counter"), bumped when a rule finds the
 * element. Only the first packet of a connection goes through NAT chains,
 * so what it counts is connections: those DNATed to a published port, and
 * those masqueraded. An inverted lookup ("!=") never bumps a counter, so
 * the masquerade rules test the destination first: the source's lookup is
 * then the last thing before "masquerade", and a connection between two
 * container subnets is not counted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <plumb/bridge.h>
#include <plumb/nft.h>

#include "nft_buf.h"

/* nft's data types (nftables' datatype.h), so that "nft list" can print our sets. */
enum {
	TYPE_IPADDR = 7,
	TYPE_IP6ADDR = 8,
	TYPE_INET_PROTOCOL = 12,
	TYPE_INET_SERVICE = 13,
	TYPE_IFNAME = 41,
	TYPE_BITS = 6,
};

/* nft's byte order of a key (nftables' expression.h), kept in the set's udata */
#define BYTEORDER_HOST_ENDIAN 1

#define CONCAT2(a, b) (((a) << TYPE_BITS) | (b))
#define CONCAT3(a, b, c) (CONCAT2(CONCAT2(a, b), c))

static const struct {
	const char *name;
	uint32_t flags;
	uint32_t key_type;
	uint32_t key_len;
	uint32_t data_type;
	uint32_t data_len;
	int counter; /* a counter on every element */
} sets[NFT_SET_COUNT] = {
	[NFT_MASQ4] = { "masq4", NFT_SET_INTERVAL, TYPE_IPADDR, 4, 0, 0, 1 },
	[NFT_MASQ6] = { "masq6", NFT_SET_INTERVAL, TYPE_IP6ADDR, 16, 0, 0, 1 },
	[NFT_PUB4] = { "pub4", NFT_SET_MAP,
		       CONCAT2(TYPE_INET_PROTOCOL, TYPE_INET_SERVICE), 8,
		       CONCAT2(TYPE_IPADDR, TYPE_INET_SERVICE), 8, 1 },
	[NFT_PUB6] = { "pub6", NFT_SET_MAP,
		       CONCAT2(TYPE_INET_PROTOCOL, TYPE_INET_SERVICE), 8,
		       CONCAT2(TYPE_IP6ADDR, TYPE_INET_SERVICE), 20, 1 },
	[NFT_PUBADDR4] = { "pubaddr4", NFT_SET_MAP,
			   CONCAT3(TYPE_IPADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE),
			   12, CONCAT2(TYPE_IPADDR, TYPE_INET_SERVICE), 8, 1 },
	[NFT_PUBADDR6] = { "pubaddr6", NFT_SET_MAP,
			   CONCAT3(TYPE_IP6ADDR, TYPE_INET_PROTOCOL, TYPE_INET_SERVICE),
			   24, CONCAT2(TYPE_IP6ADDR, TYPE_INET_SERVICE), 20, 1 },
	[NFT_PUBLOCAL4] = { "publocal4", NFT_SET_MAP,
			    CONCAT2(TYPE_INET_PROTOCOL, TYPE_INET_SERVICE), 8,
			    CONCAT2(TYPE_IPADDR, TYPE_INET_SERVICE), 8, 1 },
	[NFT_NOMASQ4] = { "nomasq4", NFT_SET_INTERVAL | NFT_SET_CONCAT,
			  CONCAT2(TYPE_IPADDR, TYPE_IPADDR), 8, 0, 0, 0 },
	[NFT_NOMASQ6] = { "nomasq6", NFT_SET_INTERVAL | NFT_SET_CONCAT,
			  CONCAT2(TYPE_IP6ADDR, TYPE_IP6ADDR), 32, 0, 0, 0 },
	[NFT_LOCALNET] = { "localnet", 0, TYPE_IFNAME, IFNAMSIZ, 0, 0, 0 },
	[NFT_SAMEBR] = { "samebr", 0, CONCAT2(TYPE_IFNAME, TYPE_IFNAME),
			 2 * IFNAMSIZ, 0, 0, 0 },
	[NFT_ISOLATED] = { "isolated", 0, TYPE_IFNAME, IFNAMSIZ, 0, 0, 0 },
	[NFT_GUARDED] = { "guarded", 0, TYPE_IFNAME, IFNAMSIZ, 0, 0, 0 },
	[NFT_HAIRPIN4] = { "hairpin4", NFT_SET_INTERVAL, TYPE_IPADDR, 4, 0, 0, 0 },
	[NFT_HAIRPIN6] = { "hairpin6", NFT_SET_INTERVAL, TYPE_IP6ADDR, 16, 0, 0, 0 },
};

/**
 * nft_set_name() - the name of a set of plumb's table
 * @set:	the set
 */
const char *nft_set_name(enum nft_set_id set)
{
	return sets[set].name;
}

/**
 * nft_key_len() - the length of a set's keys, 4-byte registers included
 * @set:	the set
 */
size_t nft_key_len(enum nft_set_id set)
{
	return sets[set].key_len;
}

/**
 * nft_data_len() - the length of a map's values, 0 for a plain set
 * @set:	the set
 */
size_t nft_data_len(enum nft_set_id set)
{
	return sets[set].data_len;
}

/**
 * nft_set_concat() - tell whether a set's keys are concatenated ranges
 * @set:	the set
 *
 * Each element of such a set holds its first and its last key (nftables'
 * NFTA_SET_ELEM_KEY_END); an interval set of one field has an element for
 * each end instead.
 *
 * Return: 1 or 0.
 */
int nft_set_concat(enum nft_set_id set)
{
	return !!(sets[set].flags & NFT_SET_CONCAT);
}

/* --- expressions ----------------------------------------------------- */

static void r_add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (e)
		nftnl_rule_add_expr(r, e);
}

static void r_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	r_add(r, e);
}

static void r_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	r_add(r, e);
}

/* meta nfproto ipv4|ipv6: what "ip daddr" implies in an inet table */
static void r_nfproto(struct nftnl_rule *r, uint8_t proto)
{
	r_meta(r, NFT_META_NFPROTO, NFT_REG_1);
	r_cmp(r, NFT_CMP_EQ, &proto, 1);
}

static void r_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		      uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	r_add(r, e);
}

/* ip saddr/daddr 127.0.0.0/8: the first byte of the address is 127 */
static void r_loopback4(struct nftnl_rule *r, uint32_t offset)
{
	uint8_t lo = 127;

	r_nfproto(r, NFPROTO_IPV4);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, 1, NFT_REG_1);
	r_cmp(r, NFT_CMP_EQ, &lo, 1);
}

static void r_lookup(struct nftnl_rule *r, enum nft_set_id set, int map, int inv)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, sets[set].name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, (uint32_t)set + 1);
	if (map)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
	if (inv)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	r_add(r, e);
}

/* [address .] l4proto . th dport into consecutive 32-bit registers */
static void r_pub_key(struct nftnl_rule *r, uint32_t addr_offset, uint32_t addr_len)
{
	uint32_t reg = NFT_REG32_00;

	if (addr_len) {
		r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, addr_offset, addr_len, reg);
		reg += addr_len / 4;
	}
	r_meta(r, NFT_META_L4PROTO, reg);
	r_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg + 1);
}

/* dnat to the address and port the map lookup left in the registers */
static void r_dnat(struct nftnl_rule *r, uint8_t family)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");
	uint32_t addr_words = family == NFPROTO_IPV4 ? 1 : 4;

	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, family);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG32_00);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_00 + addr_words);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS,
			   NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED);
	r_add(r, e);
}

static void r_masq(struct nftnl_rule *r)
{
	r_add(r, nftnl_expr_alloc("masq"));
}

static void r_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	r_add(r, e);
}

/* ct status dnat */
static void r_ct_dnat(struct nftnl_rule *r)
{
	struct nftnl_expr *ct = nftnl_expr_alloc("ct"), *bw = nftnl_expr_alloc("bitwise");
	uint32_t mask = IPS_DST_NAT, xor = 0, zero = 0;

	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATUS);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	r_add(r, ct);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_XOR, &xor, 4);
	r_add(r, bw);
	r_cmp(r, NFT_CMP_NEQ, &zero, 4);
}

/* ct direction reply */
static void r_ct_reply(struct nftnl_rule *r)
{
	struct nftnl_expr *ct = nftnl_expr_alloc("ct");
	uint8_t reply = IP_CT_DIR_REPLY;

	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_DIRECTION);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	r_add(r, ct);
	r_cmp(r, NFT_CMP_EQ, &reply, sizeof(reply));
}

/* fib daddr type local */
static void r_fib_local(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");
	uint32_t local = RTN_LOCAL;

	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	r_add(r, e);
	r_cmp(r, NFT_CMP_EQ, &local, 4);
}

/* --- rules, chain by chain ------------------------------------------- */

/* ip saddr/daddr, ip6 saddr/daddr: offsets in the network header */
#define IP4_SADDR 12
#define IP4_DADDR 16
#define IP6_SADDR 8
#define IP6_DADDR 24

static void rules_prerouting(struct nftnl_rule *r, int i)
{
	(void)i;
	r_fib_local(r);
	r_verdict(r, NFT_GOTO, "published");
}

static void rules_output(struct nftnl_rule *r, int i)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	switch (i) {
	case 0:
		r_loopback4(r, IP4_DADDR);
		r_pub_key(r, 0, 0);
		r_lookup(r, NFT_PUBLOCAL4, 1, 0);
		r_dnat(r, NFPROTO_IPV4);
		break;
	case 1:
		r_loopback4(r, IP4_DADDR);
		r_verdict(r, NFT_RETURN, NULL);
		break;
	case 2:
		r_nfproto(r, NFPROTO_IPV6);
		r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP6_DADDR, 16, NFT_REG_1);
		r_cmp(r, NFT_CMP_EQ, lo6, 16);
		r_verdict(r, NFT_RETURN, NULL);
		break;
	case 3:
		r_fib_local(r);
		r_verdict(r, NFT_GOTO, "published");
		break;
	}
}

static void rules_published(struct nftnl_rule *r, int i)
{
	int v6 = i >= 2, with_addr = !(i & 1);

	r_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	if (with_addr)
		r_pub_key(r, v6 ? IP6_DADDR : IP4_DADDR, v6 ? 16 : 4);
	else
		r_pub_key(r, 0, 0);
	r_lookup(r,
		 v6 ? (with_addr ? NFT_PUBADDR6 : NFT_PUB6) :
		      (with_addr ? NFT_PUBADDR4 : NFT_PUB4),
		 1, 0);
	r_dnat(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
}

/* ip saddr . ip daddr @nomasq4 return (and for IPv6) */
static void rules_nomasq(struct nftnl_rule *r, int v6)
{
	uint32_t alen = v6 ? 16 : 4;

	r_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? IP6_SADDR : IP4_SADDR, alen,
		  NFT_REG32_00);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? IP6_DADDR : IP4_DADDR, alen,
		  NFT_REG32_00 + alen / 4);
	r_lookup(r, v6 ? NFT_NOMASQ6 : NFT_NOMASQ4, 0, 0);
	r_verdict(r, NFT_RETURN, NULL);
}

/* ct status dnat ip saddr @set masquerade: the hairpin (and for IPv6) */
static void rules_hairpin(struct nftnl_rule *r, int v6, enum nft_set_id set)
{
	r_ct_dnat(r);
	r_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? IP6_SADDR : IP4_SADDR, v6 ? 16 : 4,
		  NFT_REG_1);
	r_lookup(r, set, 0, 0);
	r_masq(r);
}

/* ip daddr != @masq4 ip saddr @masq4 masquerade (and for IPv6) */
static void rules_masq(struct nftnl_rule *r, int v6)
{
	enum nft_set_id masq = v6 ? NFT_MASQ6 : NFT_MASQ4;

	r_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? IP6_DADDR : IP4_DADDR, v6 ? 16 : 4,
		  NFT_REG_1);
	r_lookup(r, masq, 0, 1);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? IP6_SADDR : IP4_SADDR, v6 ? 16 : 4,
		  NFT_REG_1);
	r_lookup(r, masq, 0, 0);
	r_masq(r);
}

/* Rule 0 is IPv4's only; 1 to 4 are IPv4's, 5 to 8 the same for IPv6. */
static void rules_postrouting(struct nftnl_rule *r, int i)
{
	int v6 = i > 4;

	switch (v6 ? i - 4 : i) {
	case 0: /* ip saddr 127.0.0.0/8 ct status dnat masquerade */
		r_loopback4(r, IP4_SADDR);
		r_ct_dnat(r);
		r_masq(r);
		break;
	case 1:
		rules_hairpin(r, v6, v6 ? NFT_MASQ6 : NFT_MASQ4);
		break;
	case 2:
		rules_hairpin(r, v6, v6 ? NFT_HAIRPIN6 : NFT_HAIRPIN4);
		break;
	case 3:
		rules_nomasq(r, v6);
		break;
	case 4:
		rules_masq(r, v6);
		break;
	}
}

/* ip daddr . ip saddr @nomasq4 accept (and for IPv6): from a network's peers */
static void rules_peers(struct nftnl_rule *r, int v6)
{
	uint32_t alen = v6 ? 16 : 4;

	r_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? IP6_DADDR : IP4_DADDR, alen,
		  NFT_REG32_00);
	r_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? IP6_SADDR : IP4_SADDR, alen,
		  NFT_REG32_00 + alen / 4);
	r_lookup(r, v6 ? NFT_NOMASQ6 : NFT_NOMASQ4, 0, 0);
	r_verdict(r, NF_ACCEPT, NULL);
}

/* meta iifgroup|oifgroup 0x706c: one of plumb's bridges (lib/bridge.c) */
static void r_plumb_group(struct nftnl_rule *r, uint32_t key)
{
	uint32_t group = BRIDGE_GROUP;

	r_meta(r, key, NFT_REG_1);
	r_cmp(r, NFT_CMP_EQ, &group, sizeof(group));
}

static void rules_forward(struct nftnl_rule *r, int i)
{
	switch (i) {
	case 0: /* iifname . oifname @samebr accept */
		r_meta(r, NFT_META_IIFNAME, NFT_REG_1);
		r_meta(r, NFT_META_OIFNAME, NFT_REG_2);
		r_lookup(r, NFT_SAMEBR, 0, 0);
		r_verdict(r, NF_ACCEPT, NULL);
		break;
	case 1: /* ct status dnat accept */
		r_ct_dnat(r);
		r_verdict(r, NF_ACCEPT, NULL);
		break;
	case 2: /* ct direction reply accept */
		r_ct_reply(r);
		r_verdict(r, NF_ACCEPT, NULL);
		break;
	case 3: /* iifname @isolated oifgroup 0x706c drop */
		r_meta(r, NFT_META_IIFNAME, NFT_REG_1);
		r_lookup(r, NFT_ISOLATED, 0, 0);
		r_plumb_group(r, NFT_META_OIFGROUP);
		r_verdict(r, NF_DROP, NULL);
		break;
	case 4: /* oifname @isolated iifgroup 0x706c drop */
		r_meta(r, NFT_META_OIFNAME, NFT_REG_1);
		r_lookup(r, NFT_ISOLATED, 0, 0);
		r_plumb_group(r, NFT_META_IIFGROUP);
		r_verdict(r, NF_DROP, NULL);
		break;
	case 5:
	case 6: /* ip daddr . ip saddr @nomasq4 accept: the network's peers */
		rules_peers(r, i == 6);
		break;
	case 7: /* oifname @guarded drop */
		r_meta(r, NFT_META_OIFNAME, NFT_REG_1);
		r_lookup(r, NFT_GUARDED, 0, 0);
		r_verdict(r, NF_DROP, NULL);
		break;
	}
}

static void rules_guard(struct nftnl_rule *r, int i)
{
	r_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	r_lookup(r, NFT_LOCALNET, 0, 0);
	r_loopback4(r, i == 0 ? IP4_SADDR : IP4_DADDR);
	r_verdict(r, NF_DROP, NULL);
}

static const struct {
	const char *name;
	const char *type; /* NULL: a regular chain */
	uint32_t hook;
	int prio;
	int n_rules;
	void (*rule)(struct nftnl_rule *r, int i);
} chains[] = {
	{ "published", NULL, 0, 0, 4, rules_published },
	{ "prerouting", "nat", NF_INET_PRE_ROUTING, -100, 1, rules_prerouting },
	{ "output", "nat", NF_INET_LOCAL_OUT, -100, 4, rules_output },
	{ "postrouting", "nat", NF_INET_POST_ROUTING, 100, 9, rules_postrouting },
	{ "guard", "filter", NF_INET_PRE_ROUTING, -300, 2, rules_guard },
	{ "forward", "filter", NF_INET_FORWARD, 0, 8, rules_forward },
};

/* --- messages -------------------------------------------------------- */

static int put_table(struct nft_buf *b)
{
	char comment[64];
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN);
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);

	if (!t || !ud || !room) {
		nftnl_table_free(t);
		nftnl_udata_buf_free(ud);
		return -ENOMEM;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	snprintf(comment, sizeof(comment),
		 "made by plumb-nat; changed only through it" NFT_LAYOUT_WORD "%d",
		 NFT_LAYOUT);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, comment);
	nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
			     nftnl_udata_buf_len(ud));
	/* EXCL: two plumb-nat making the table at once; one wins, one retries. */
	nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWTABLE, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, ++b->seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nft_buf_done(b, nlh);
	nftnl_table_free(t);
	nftnl_udata_buf_free(ud);
	return 0;
}

static int put_set(struct nft_buf *b, enum nft_set_id id)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_expr *counter = NULL;
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);

	if (sets[id].counter)
		counter = nftnl_expr_alloc("counter");
	if (!s || !ud || !room || (sets[id].counter && !counter)) {
		if (counter) /* unlike the other _free()s, not NULL-safe */
			nftnl_expr_free(counter);
		nftnl_set_free(s);
		nftnl_udata_buf_free(ud);
		return -ENOMEM;
	}
	if (counter) /* the set owns it from here */
		nftnl_set_add_expr(s, counter);
	/*
	 * Without it nft reads an interface name as a big endian number and
	 * lists every element of localnet as "" (nft 1.0.6); nft itself
	 * stores host order for its ifname sets.
	 */
	if (sets[id].key_type == TYPE_IFNAME) {
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				    BYTEORDER_HOST_ENDIAN);
		nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sets[id].name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)id + 1);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, sets[id].flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, sets[id].key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sets[id].key_len);
	if (sets[id].flags & NFT_SET_CONCAT) {
		/* Two addresses, each its own field (nft's "type a . b"). */
		uint8_t fields[NFT_REG32_COUNT] = { sets[id].key_len / 2,
						    sets[id].key_len / 2 };

		nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	}
	if (sets[id].flags & NFT_SET_MAP) {
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, sets[id].data_type);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, sets[id].data_len);
	}
	nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWSET, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_ACK, ++b->seq);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nft_buf_done(b, nlh);
	nftnl_set_free(s);
	nftnl_udata_buf_free(ud);
	return 0;
}

static int put_chain(struct nft_buf *b, size_t i)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);

	if (!c || !room) {
		nftnl_chain_free(c);
		return -ENOMEM;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chains[i].name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	if (chains[i].type) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, chains[i].type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, chains[i].hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, chains[i].prio);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWCHAIN, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_ACK, ++b->seq);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nft_buf_done(b, nlh);
	nftnl_chain_free(c);
	return 0;
}

static int put_rule(struct nft_buf *b, size_t chain, int i)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);

	if (!r || !room) {
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chains[chain].name);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	chains[chain].rule(r, i);
	nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWRULE, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, ++b->seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nft_buf_done(b, nlh);
	nftnl_rule_free(r);
	return 0;
}

/**
 * nft_rules_build() - append the creation of the whole table to a batch
 * @b:		the batch, between its begin and end markers
 *
 * Return: 0 or -ENOMEM.
 */
int nft_rules_build(struct nft_buf *b)
{
	size_t i;
	int j, ret;

	ret = put_table(b);
	for (i = 0; ret == 0 && i < NFT_SET_COUNT; i++)
		ret = put_set(b, (enum nft_set_id)i);
	for (i = 0; ret == 0 && i < sizeof(chains) / sizeof(chains[0]); i++)
		ret = put_chain(b, i);
	for (i = 0; ret == 0 && i < sizeof(chains) / sizeof(chains[0]); i++) {
		for (j = 0; ret == 0 && j < chains[i].n_rules; j++)
			ret = put_rule(b, i, j);
	}
	return ret ? ret : b->err;
}
