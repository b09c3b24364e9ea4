// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * foreign_nft: plumb's tagged rules in other tables' forward chains, through
 * nf_tables: a distribution's nftables.conf, another tool's table, and the
 * tables of iptables-nft (Docker, ufw).
 *
 * Theory of operation: every base chain at the forward hook whose policy is
 * drop, in a table that is not plumb's, gets two rules at its head:
 *
 *	iifgroup 0x706c accept comment FOREIGN_TAG
 *	oifgroup 0x706c accept comment FOREIGN_TAG
 *
 * What comes from or goes to one of plumb's bridges (interface group
 * BRIDGE_GROUP) is thereby left to plumb's own table, which decides it
 * (isolation, the direct-access guard); nothing else is let through. A
 * chain of iptables-nft (FORWARD, in an ip or ip6 table) gets the same two
 * rules in the expressions iptables-nft itself writes for them (xt matches
 * "devgroup" and "comment", then a counter), so that iptables-save and
 * iptables -L still read the table:
 *
 *	-A FORWARD -m devgroup --src-group 0x706c -m comment --comment TAG -j ACCEPT
 *
 * Where Docker made its DOCKER-USER chain, the rules go there instead:
 * Docker puts the jump to it first in FORWARD on every start and leaves what
 * is in it alone. Looking (a dump of the chains, then of each chosen chain's
 * rules) and inserting happen against one ruleset generation, so a firewall
 * that reloads in between makes us look again instead of inserting into a
 * chain that changed. Withdrawing deletes every rule tagged FOREIGN_TAG,
 * by handle: the foreign tables are then what they were before, rule for
 * rule (nft -s list ruleset prints them identically). A table another
 * process owns (its "flags owner") is left alone, with a warning: the
 * kernel refuses anyone else's change (EPERM), which in the one batch
 * would keep plumb's rules from every other chain.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_comment.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>

#include <plumb/bridge.h>
#include <plumb/foreign.h>
#include <plumb/log.h>
#include <plumb/nft.h>

#include "foreign_match.h"
#include "nft_buf.h"

#define FNFT_NAME_MAX 256 /* NFT_TABLE_MAXNAMELEN, NFT_CHAIN_MAXNAMELEN */
#define FNFT_RETRIES 32
#define FNFT_DOCKER_USER "DOCKER-USER"

/**
 * struct fnft_chain - a chain, or the rules plumb tagged in it
 * @family:	NFPROTO_INET, NFPROTO_IPV4...
 * @table:	its table
 * @name:	its name
 * @forward_drop: a base chain at the forward hook with policy drop
 * @iptables:	written by iptables-nft: speak its dialect there
 * @handle:	in a list of tagged rules, the rule's handle
 * @put:	in a list of chains, plumb's rules were just put in this
 *		forward chain, or in @target: to be said once committed
 * @target:	the chain that received them
 * @owner:	its table is owned (NFT_TABLE_F_OWNER) by the process on
 *		this netlink port: only that process may change it
 */
struct fnft_chain {
	uint8_t family;
	char table[FNFT_NAME_MAX];
	char name[FNFT_NAME_MAX];
	int forward_drop;
	int iptables;
	uint64_t handle;
	int put;
	const char *target;
	uint32_t owner;
};

/**
 * struct fnft_list - chains, or tagged rules (one entry each)
 * @v:		the entries
 * @n:		how many
 * @cap:	room at @v
 * @err:	-ENOMEM once an allocation failed
 */
struct fnft_list {
	struct fnft_chain *v;
	size_t n;
	size_t cap;
	int err;
};

static struct fnft_chain *fnft_list_add(struct fnft_list *l)
{
	struct fnft_chain *v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 16;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->err = -ENOMEM;
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	return &l->v[l->n++];
}

/* A string attribute into @buf; 0, or -EBADMSG. */
static int fnft_attr_str(const struct nlattr *attr, char *buf, size_t size)
{
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
	    strlen(mnl_attr_get_str(attr)) >= size)
		return -EBADMSG;
	memcpy(buf, mnl_attr_get_str(attr), strlen(mnl_attr_get_str(attr)) + 1);
	return 0;
}

static uint8_t fnft_family(const struct nlmsghdr *nlh)
{
	return ((const struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family;
}

/* --- looking ---------------------------------------------------------- */

static int fnft_hook_parse(const struct nlattr *nest, uint32_t *hooknum)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != NFTA_HOOK_HOOKNUM)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return -EBADMSG;
		*hooknum = ntohl(mnl_attr_get_u32(attr));
		return 1;
	}
	return 0;
}

static int fnft_chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_list *l = data;
	struct fnft_chain c = { 0 };
	const struct nlattr *attr;
	uint32_t hooknum = 0, policy = NF_ACCEPT;
	int hooked = 0, ret = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		ret = -EBADMSG;
	c.family = ret ? 0 : fnft_family(nlh);
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (ret < 0)
			break;
		switch (mnl_attr_get_type(attr)) {
		case NFTA_CHAIN_TABLE:
			ret = fnft_attr_str(attr, c.table, sizeof(c.table));
			break;
		case NFTA_CHAIN_NAME:
			ret = fnft_attr_str(attr, c.name, sizeof(c.name));
			break;
		case NFTA_CHAIN_HOOK:
			ret = mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ?
				      -EBADMSG :
				      (hooked = fnft_hook_parse(attr, &hooknum));
			break;
		case NFTA_CHAIN_POLICY:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				ret = -EBADMSG;
			else
				policy = ntohl(mnl_attr_get_u32(attr));
			break;
		}
	}
	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	/* IPv4, IPv6 and inet only: a bridge table's forward hook is another one. */
	c.forward_drop = hooked && hooknum == NF_INET_FORWARD && policy == NF_DROP &&
			 (c.family == NFPROTO_INET || c.family == NFPROTO_IPV4 ||
			  c.family == NFPROTO_IPV6) &&
			 !(c.family == NFPROTO_INET && !strcmp(c.table, NFT_TABLE));
	/* iptables-nft names its base chains after the hooks, in capitals. */
	c.iptables = c.family != NFPROTO_INET && !strcmp(c.name, "FORWARD");
	if (c.forward_drop || !strcmp(c.name, FNFT_DOCKER_USER)) {
		struct fnft_chain *slot = fnft_list_add(l);

		if (slot)
			*slot = c;
	}
	return MNL_CB_OK;
}

/* The chains that matter: forward chains with policy drop, and DOCKER-USER. */
static int fnft_chains_get(struct nl_sock *nl, struct fnft_list *l)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, 0);
	ret = nl_request(nl, nlh, fnft_chain_cb, l);
	return ret < 0 ? ret : l->err;
}

static int fnft_table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_list *l = data;
	struct fnft_chain t = { 0 };
	const struct nlattr *attr;
	uint32_t flags = 0;
	int ret = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		ret = -EBADMSG;
	t.family = ret ? 0 : fnft_family(nlh);
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (ret < 0)
			break;
		switch (mnl_attr_get_type(attr)) {
		case NFTA_TABLE_NAME:
			ret = fnft_attr_str(attr, t.table, sizeof(t.table));
			break;
		case NFTA_TABLE_FLAGS:
		case NFTA_TABLE_OWNER:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				ret = -EBADMSG;
			else if (mnl_attr_get_type(attr) == NFTA_TABLE_FLAGS)
				flags = ntohl(mnl_attr_get_u32(attr));
			else
				t.owner = ntohl(mnl_attr_get_u32(attr));
			break;
		}
	}
	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	if (flags & NFT_TABLE_F_OWNER) {
		struct fnft_chain *slot = fnft_list_add(l);

		if (slot)
			*slot = t;
	}
	return MNL_CB_OK;
}

/*
 * The tables another process owns (nftables' "flags owner", as firewalld
 * and systemd make theirs): the kernel lets no one else change them
 * (EPERM), so they are no place for plumb's rules. Each forward chain of
 * @all in one gets its @owner.
 */
static int fnft_owned_get(struct nl_sock *nl, struct fnft_list *all)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct fnft_list owned = { 0 };
	struct nlmsghdr *nlh;
	size_t i, k;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, 0);
	ret = nl_request(nl, nlh, fnft_table_cb, &owned);
	if (ret == 0)
		ret = owned.err;
	for (k = 0; ret == 0 && k < owned.n; k++) {
		for (i = 0; i < all->n; i++) {
			if (all->v[i].family == owned.v[k].family &&
			    !strcmp(all->v[i].table, owned.v[k].table))
				all->v[i].owner = owned.v[k].owner;
		}
	}
	free(owned.v);
	return ret;
}

/* The rule's comment, as nft writes it (user data) or iptables-nft (xt match). */
static int fnft_udata_tagged(const uint8_t *u, size_t len)
{
	size_t off = 0, n;

	while (len - off >= 2) {
		n = u[off + 1];
		if (n > len - off - 2)
			return 0;
		if (u[off] == NFTNL_UDATA_RULE_COMMENT && n == sizeof(FOREIGN_TAG) &&
		    !memcmp(u + off + 2, FOREIGN_TAG, n))
			return 1;
		off += 2 + n;
	}
	return 0;
}

static int fnft_match_tagged(const struct nlattr *data)
{
	const struct nlattr *attr;
	const char *name = NULL;
	const char *info = NULL;
	size_t len = 0;

	mnl_attr_for_each_nested(attr, data) {
		if (mnl_attr_get_type(attr) == NFTA_MATCH_NAME &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(attr);
		if (mnl_attr_get_type(attr) == NFTA_MATCH_INFO) {
			info = mnl_attr_get_payload(attr);
			len = mnl_attr_get_payload_len(attr);
		}
	}
	return name && !strcmp(name, "comment") && info && len >= sizeof(FOREIGN_TAG) &&
	       !memcmp(info, FOREIGN_TAG, sizeof(FOREIGN_TAG));
}

static int fnft_exprs_tagged(const struct nlattr *list)
{
	const struct nlattr *elem, *attr;
	int match;

	mnl_attr_for_each_nested(elem, list) {
		match = 0;
		mnl_attr_for_each_nested(attr, elem) {
			if (mnl_attr_get_type(attr) == NFTA_EXPR_NAME)
				match = mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) ==
						0 &&
					!strcmp(mnl_attr_get_str(attr), "match");
			else if (mnl_attr_get_type(attr) == NFTA_EXPR_DATA && match &&
				 mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0 &&
				 fnft_match_tagged(attr))
				return 1;
		}
	}
	return 0;
}

/* Each rule tagged FOREIGN_TAG: its chain and handle, one entry per rule. */
static int fnft_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fnft_list *l = data;
	struct fnft_chain r = { 0 };
	const struct nlattr *attr;
	int ret = 0, tagged = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		ret = -EBADMSG;
	r.family = ret ? 0 : fnft_family(nlh);
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (ret < 0)
			break;
		switch (mnl_attr_get_type(attr)) {
		case NFTA_RULE_TABLE:
			ret = fnft_attr_str(attr, r.table, sizeof(r.table));
			break;
		case NFTA_RULE_CHAIN:
			ret = fnft_attr_str(attr, r.name, sizeof(r.name));
			break;
		case NFTA_RULE_HANDLE:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				ret = -EBADMSG;
			else
				r.handle = be64toh(mnl_attr_get_u64(attr));
			break;
		case NFTA_RULE_USERDATA:
			tagged |= fnft_udata_tagged(mnl_attr_get_payload(attr),
						    mnl_attr_get_payload_len(attr));
			break;
		case NFTA_RULE_EXPRESSIONS:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				ret = -EBADMSG;
			else
				tagged |= fnft_exprs_tagged(attr);
			break;
		}
	}
	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	if (tagged) {
		struct fnft_chain *slot = fnft_list_add(l);

		if (slot)
			*slot = r;
	}
	return MNL_CB_OK;
}

/* The tagged rules of one chain, or (@c NULL) of every table. */
static int fnft_tagged_get(struct nl_sock *nl, const struct fnft_chain *c,
			   struct fnft_list *l)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, c ? c->family : NFPROTO_UNSPEC,
				    NLM_F_DUMP, 0);
	if (c) {
		mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, c->table);
		mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, c->name);
	}
	ret = nl_request(nl, nlh, fnft_rule_cb, l);
	if (ret == -ENOENT) /* the chain went meanwhile: the commit will say */
		ret = 0;
	return ret < 0 ? ret : l->err;
}

/* --- building ----------------------------------------------------------- */

static void fnft_add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (e)
		nftnl_rule_add_expr(r, e);
}

/* meta iifgroup|oifgroup == BRIDGE_GROUP accept comment TAG: nft's words */
static void fnft_exprs_native(struct nftnl_rule *r, int out)
{
	struct nftnl_expr *meta = nftnl_expr_alloc("meta"),
			  *cmp = nftnl_expr_alloc("cmp");
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	uint32_t group = BRIDGE_GROUP;

	if (meta) {
		nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY,
				   out ? NFT_META_OIFGROUP : NFT_META_IIFGROUP);
		nftnl_expr_set_u32(meta, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	fnft_add(r, meta);
	if (cmp) {
		nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(cmp, NFTNL_EXPR_CMP_DATA, &group, sizeof(group));
	}
	fnft_add(r, cmp);
	if (ud && nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, FOREIGN_TAG))
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
				    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

static void fnft_xt_match(struct nftnl_rule *r, const char *name, const void *info,
			  size_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("match");
	void *copy = malloc(len);

	if (!e || !copy) {
		free(copy);
		if (e)
			nftnl_expr_free(e);
		return;
	}
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 0);
	/* libnftnl (1.2.4) keeps the pointer it is given, and frees it. */
	memcpy(copy, info, len);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, copy, (uint32_t)len);
	fnft_add(r, e);
}

/* -m devgroup --src-group|--dst-group G -m comment --comment TAG: iptables' words */
static void fnft_exprs_iptables(struct nftnl_rule *r, int out)
{
	struct xt_devgroup_info dev = foreign_devgroup(out);
	struct xt_comment_info comment = { FOREIGN_TAG };

	fnft_xt_match(r, "devgroup", &dev, sizeof(dev));
	fnft_xt_match(r, "comment", &comment, sizeof(comment));
	fnft_add(r, nftnl_expr_alloc("counter"));
}

/* One rule at the head of @c's chain: from (or with @out, to) plumb's bridges. */
static void fnft_put_rule(struct nft_buf *b, const struct fnft_chain *c, int out)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *accept = nftnl_expr_alloc("immediate");
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);

	if (!r || !accept || !room) {
		nftnl_rule_free(r);
		if (accept)
			nftnl_expr_free(accept);
		b->err = -ENOMEM;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->name);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, c->family);
	if (c->iptables)
		fnft_exprs_iptables(r, out);
	else
		fnft_exprs_native(r, out);
	nftnl_expr_set_u32(accept, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(accept, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	nftnl_rule_add_expr(r, accept);
	/* Without NLM_F_APPEND, the kernel puts the rule first in the chain. */
	nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWRULE, c->family,
				    NLM_F_CREATE | NLM_F_ACK, ++b->seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nft_buf_done(b, nlh);
	nftnl_rule_free(r);
}

static void fnft_del_rule(struct nft_buf *b, const struct fnft_chain *c, uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);

	if (!r || !room) {
		nftnl_rule_free(r);
		b->err = -ENOMEM;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->name);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, c->family);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_DELRULE, c->family, NLM_F_ACK,
				    ++b->seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nft_buf_done(b, nlh);
	nftnl_rule_free(r);
}

/* --- admit ------------------------------------------------------------ */

/* Where the rules for forward chain @c go: DOCKER-USER beside an iptables FORWARD. */
static struct fnft_chain *fnft_target(struct fnft_list *all, struct fnft_chain *c)
{
	size_t i;

	for (i = 0; c->iptables && i < all->n; i++) {
		if (all->v[i].family == c->family && !strcmp(all->v[i].table, c->table) &&
		    !strcmp(all->v[i].name, FNFT_DOCKER_USER))
			return &all->v[i];
	}
	return c;
}

/*
 * Look at one forward chain with policy drop and put what it lacks in @b:
 * both rules at the head of its target, after deleting a lone one left by
 * someone's editing. Return: 1 when something was put, 0, or -errno.
 */
static int fnft_chain_admit(struct nl_sock *nl, struct fnft_list *all, size_t i,
			    struct nft_buf *b)
{
	struct fnft_chain *t = fnft_target(all, &all->v[i]);
	struct fnft_list tagged = { 0 };
	size_t k;
	int ret;

	t->iptables = all->v[i].iptables;
	ret = fnft_tagged_get(nl, t, &tagged);
	if (ret == 0 && tagged.n != 2) {
		for (k = 0; k < tagged.n; k++)
			fnft_del_rule(b, t, tagged.v[k].handle);
		fnft_put_rule(b, t, 1);
		fnft_put_rule(b, t, 0);
		all->v[i].put = 1;
		all->v[i].target = t->name;
		ret = 1;
	}
	free(tagged.v);
	return ret;
}

static const char *fnft_family_name(uint8_t family)
{
	return family == NFPROTO_INET ? "inet" : family == NFPROTO_IPV4 ? "ip" : "ip6";
}

static void fnft_say(const struct fnft_list *all)
{
	const struct fnft_chain *c;
	size_t i;

	for (i = 0; i < all->n; i++) {
		c = &all->v[i];
		if (c->forward_drop && c->owner)
			log_warn("nftables chain %s %s %s drops what it does not accept, "
				 "but another process owns table %s (netlink port %u): "
				 "plumb cannot put its rules there, and that chain may "
				 "drop its bridges' traffic",
				 fnft_family_name(c->family), c->table, c->name, c->table,
				 c->owner);
		if (!c->put)
			continue;
		log_notice("%s chain %s %s %s drops what it does not accept: "
			   "plumb put two rules that let its bridges through "
			   "(interface group 0x%x) at the head of %s; "
			   "plumb-nat flush removes them",
			   c->iptables ? "iptables" : "nftables",
			   fnft_family_name(c->family), c->table, c->name, BRIDGE_GROUP,
			   strcmp(c->target, c->name) ? c->target : "it");
	}
}

/* One look and one commit against the generation read; -ERESTART: look again. */
static int fnft_admit_once(struct nl_sock *nl, struct fnft_list *all)
{
	struct nft_buf b = { 0 };
	uint32_t genid;
	size_t i;
	int ret, todo = 0;

	ret = nft_gen_get(nl, &genid);
	if (ret == 0)
		ret = fnft_chains_get(nl, all);
	for (i = 0; ret == 0 && i < all->n && !todo; i++)
		todo = all->v[i].forward_drop;
	if (ret == 0 && todo) /* most hosts have none: no look at the tables */
		ret = fnft_owned_get(nl, all);
	if (ret == 0)
		nft_batch_begin(&b, genid);
	for (todo = 0, i = 0; ret >= 0 && i < all->n; i++) {
		if (!all->v[i].forward_drop || all->v[i].owner)
			continue;
		ret = fnft_chain_admit(nl, all, i, &b);
		todo |= ret > 0;
	}
	if (ret >= 0 && todo) {
		nft_batch_end(&b);
		ret = b.err ? b.err : nl_send_batch(nl, b.data, b.len, NULL, NULL);
	}
	nft_buf_free(&b);
	return ret < 0 ? ret : 0;
}

/**
 * foreign_nft_admit() - put plumb's two rules at the head of every foreign
 * forward chain with policy drop that lacks them
 * @netns_fd:	the namespace, -1 for ours
 * @nets:	unused: the rules match every network's bridge
 * @n:		unused
 *
 * Says which chains got them (a notice each).
 *
 * Return: 0 or negative errno (logged).
 */
int foreign_nft_admit(int netns_fd, const struct foreign_net *nets, size_t n)
{
	struct fnft_list all = { 0 };
	struct nl_sock nl;
	int attempt, ret;

	(void)nets;
	(void)n;
	ret = nl_open_netns(&nl, NETLINK_NETFILTER, netns_fd);
	if (ret < 0)
		return log_err(ret, "open netfilter socket");
	for (attempt = 0; attempt < FNFT_RETRIES; attempt++) {
		all.n = 0;
		ret = fnft_admit_once(&nl, &all);
		/* EINTR: the ruleset changed during a dump (NLM_F_DUMP_INTR). */
		if (ret != -ERESTART && ret != -EINTR)
			break;
	}
	if (ret == 0)
		fnft_say(&all);
	else if (ret == -ERESTART || ret == -EINTR)
		ret = log_errx(-EAGAIN,
			       "nftables kept changing under us; gave up putting "
			       "plumb's rules in forward chains");
	else
		nl_err(&nl, ret,
		       "put plumb's rules in the forward chains of other tables");
	free(all.v);
	nl_close(&nl);
	return ret;
}

/* --- withdraw ----------------------------------------------------------- */

static int fnft_withdraw_once(struct nl_sock *nl, struct fnft_list *tagged)
{
	struct nft_buf b = { 0 };
	uint32_t genid;
	size_t i;
	int ret;

	ret = nft_gen_get(nl, &genid);
	if (ret == 0)
		ret = fnft_tagged_get(nl, NULL, tagged);
	if (ret < 0 || !tagged->n)
		return ret;
	nft_batch_begin(&b, genid);
	for (i = 0; i < tagged->n; i++)
		fnft_del_rule(&b, &tagged->v[i], tagged->v[i].handle);
	nft_batch_end(&b);
	ret = b.err ? b.err : nl_send_batch(nl, b.data, b.len, NULL, NULL);
	nft_buf_free(&b);
	return ret;
}

/**
 * foreign_nft_withdraw() - delete every rule tagged FOREIGN_TAG, in any table
 * @netns_fd:	the namespace, -1 for ours
 *
 * Return: 0 or negative errno (logged).
 */
int foreign_nft_withdraw(int netns_fd)
{
	struct fnft_list tagged = { 0 };
	struct nl_sock nl;
	int attempt, ret;

	ret = nl_open_netns(&nl, NETLINK_NETFILTER, netns_fd);
	if (ret < 0)
		return log_err(ret, "open netfilter socket");
	for (attempt = 0; attempt < FNFT_RETRIES; attempt++) {
		tagged.n = 0;
		ret = fnft_withdraw_once(&nl, &tagged);
		if (ret != -ERESTART && ret != -ENOENT && ret != -EINTR)
			break;
	}
	if (ret == -ERESTART || ret == -ENOENT || ret == -EINTR)
		ret = log_errx(-EAGAIN, "nftables kept changing under us; gave up "
					"removing plumb's rules from other tables");
	else if (ret < 0)
		nl_err(&nl, ret, "remove plumb's rules from other tables");
	free(tagged.v);
	nl_close(&nl);
	return ret;
}
