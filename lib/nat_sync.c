// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_sync: the whole of plumb's table at once: listing what the kernel has,
 * reconciling it with plumb's records after a firewall reload flushed it,
 * and flushing it; and all that one owner holds at once, released from its
 * records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include <plumb/foreign.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>
#include <plumb/sysctl.h>

#include "nat_txn.h"

/* --- list ------------------------------------------------------------ */

/*
 * Append @j, the entry of element @e, to @out, with the connections @e
 * counted when @stats asks for them and @e has a counter. Takes @j, which
 * may be NULL (out of memory).
 */
static int nat_list_append(json_t *out, json_t *j, const struct nft_elem *e, int stats)
{
	if (j && stats && e->counted &&
	    json_object_set_new(j, "connections", json_integer((json_int_t)e->packets))) {
		json_decref(j);
		return -ENOMEM;
	}
	return !j || json_array_append_new(out, j) ? -ENOMEM : 0;
}

struct nat_list_walk {
	json_t *out;
	int stats;
};

static int nat_list_masq_one(const struct inet_prefix *subnet, const struct nft_elem *e,
			     void *arg)
{
	struct nat_list_walk *w = arg;
	char buf[INET_PREFIX_STRLEN];

	return nat_list_append(w->out,
			       json_pack("{s:s, s:o}", "subnet",
					 inet_prefix_str(subnet, buf, sizeof(buf)),
					 "owner", json_string_lossy(e->owner)),
			       e, w->stats);
}

static int nat_list_masq(struct nat *nat, enum nft_set_id set, int stats, json_t *out)
{
	struct nat_list_walk w = { .out = out, .stats = stats };

	return nat_masq_for_each(nat, set, nat_list_masq_one, &w);
}

static int nat_list_pub(const struct nft_elem *e, void *arg)
{
	struct nat_list_walk *w = arg;
	json_t *j;

	if (nat_elem_describe(e, &j) < 0)
		return -ENOMEM;
	return nat_list_append(w->out, j, e, w->stats);
}

static int nat_list_nomasq(const struct nft_elem *e, void *arg)
{
	struct nat_list_walk *w = arg;
	json_t *j;

	if (nat_nomasq_describe(e, &j) < 0)
		return -ENOMEM;
	return nat_list_append(w->out, j, e, w->stats);
}

/**
 * nat_list() - what plumb's table holds, as the kernel has it
 * @nat:	the handle
 * @stats:	add each element's "connections", when it has a counter
 * @out:	{"masquerade": [{subnet, owner}], "no_masquerade": [{subnet,
 *		to, owner}], "published": [{proto, host_ip, host_port, addr,
 *		port, owner, localhost}], "networks": [{bridge, isolate,
 *		direct_access, owner}]}, one entry per port
 *
 * Return: 0 or negative errno (logged).
 */
int nat_list(struct nat *nat, int stats, json_t **out)
{
	static const enum nft_set_id pubs[] = { NFT_PUB4, NFT_PUBADDR4, NFT_PUBLOCAL4,
						NFT_PUB6, NFT_PUBADDR6 };
	json_t *masq = json_array(), *pub = json_array(), *nomasq = json_array();
	json_t *nets = json_array();
	struct nat_list_walk w = { .out = pub, .stats = stats };
	struct nat_list_walk wn = { .out = nomasq };
	size_t i;
	int ret = masq && pub && nomasq && nets ? 0 : -ENOMEM;

	if (ret == 0)
		ret = nat_list_masq(nat, NFT_MASQ4, stats, masq);
	if (ret == 0)
		ret = nat_list_masq(nat, NFT_MASQ6, stats, masq);
	if (ret == 0)
		ret = nft_elem_for_each(&nat->nl, NFT_NOMASQ4, nat_list_nomasq, &wn);
	if (ret == 0)
		ret = nft_elem_for_each(&nat->nl, NFT_NOMASQ6, nat_list_nomasq, &wn);
	for (i = 0; ret == 0 && i < sizeof(pubs) / sizeof(pubs[0]); i++)
		ret = nft_elem_for_each(&nat->nl, pubs[i], nat_list_pub, &w);
	if (ret == 0)
		ret = nat_net_list(nat, nets);
	*out = ret == 0 ? json_pack("{s:o, s:o, s:o, s:o}", "masquerade", masq,
				    "no_masquerade", nomasq, "published", pub,
				    "networks", nets) :
			  NULL;
	if (!*out) {
		json_decref(masq);
		json_decref(nomasq);
		json_decref(pub);
		json_decref(nets);
		return log_err(ret ? ret : -ENOMEM, "list table inet " NFT_TABLE);
	}
	return 0;
}

/* --- reconcile --------------------------------------------------------- */

/**
 * nat_reconcile() - bring back what the records say plumb's table holds
 * @nat:	the handle
 *
 * After "nft flush ruleset" (a firewall reload), the table is rebuilt and
 * every recorded element added again, in one transaction; a table of
 * another plumb-nat's layout is made again the same way (nat_sync()). When
 * nothing is missing, nothing is sent to the kernel: without records, no
 * table is made. Then what plumb keeps in other firewalls is brought back
 * too (after a firewall started, or Docker restarted): foreign_reconcile().
 *
 * Return: the number of elements added (0: it was a no-op), or negative
 * errno (logged).
 */
int nat_reconcile(struct nat *nat)
{
	struct nat_sync done = { 0 };
	struct nat_wanted *w;
	size_t i;
	int ret;

	w = nat_wanted_load(nat->state_dir, &ret);
	if (w)
		ret = nat_table_sync(nat, &w->all, 0, &done);
	if (ret == 0) {
		nat->layout_seen = 1;
		for (i = 0; i < w->n_localhost; i++)
			nat_localhost_on(nat, &w->localhost[i]);
		/* The bridges plumb adopted, guarded again: plumb's group. */
		ret = nat_port_reconcile(nat);
	}
	if (ret == 0)
		ret = foreign_reconcile(nat->netns_fd);
	nat_wanted_free(w);
	return ret < 0 ? ret : (int)done.added;
}

/* The guard goes with the table: so does the hole it guards. */
static int nat_localnet_off(const struct nft_elem *e, void *arg)
{
	struct nat *nat = arg;
	char key[64];
	int ret;

	snprintf(key, sizeof(key), "net/ipv4/conf/%.*s/route_localnet", IFNAMSIZ,
		 (const char *)e->key);
	ret = sysctl_set_try(nat->netns_fd, key, "0", NULL);
	if (ret < 0 && ret != -ENOENT) /* ENOENT: the bridge is gone */
		log_warn("%.*s keeps route_localnet on, unguarded: %s", IFNAMSIZ,
			 (const char *)e->key, strerror(-ret));
	return 0;
}

/**
 * nat_flush() - delete plumb's table and take plumb's tagged rules out of
 * other firewalls' chains, and nothing else; records stay, so "reconcile"
 * can bring it all back
 * @nat:	the handle
 *
 * route_localnet is turned off first on the bridges the table guards, as
 * it is only ever on behind the guard; the bridges plumb adopted get their
 * interface group and their ports their hairpin mode back (nat_port_flush())
 * before the rules that let that group through other firewalls go.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_flush(struct nat *nat)
{
	int ret = nft_elem_for_each(&nat->nl, NFT_LOCALNET, nat_localnet_off, nat);

	if (ret == 0)
		ret = nat_port_flush(nat);
	if (ret == 0)
		ret = foreign_withdraw(nat->netns_fd);
	return ret < 0 ? ret : nft_table_del(&nat->nl);
}

/* --- release ---------------------------------------------------------- */

struct nat_release {
	struct nat *nat;
	const char *owner;
	const struct inet_prefix *to; /* only ports to these, or NULL for all */
	size_t n_to;
	int err;
};

/* Is @p a port to one of the addresses @r is limited to? */
static int nat_release_wanted(const struct nat_release *r, const struct nat_pub *p)
{
	size_t i;

	for (i = 0; i < r->n_to; i++) {
		if (inet_addr_eq(&r->to[i].addr, &p->addr))
			return 1;
	}
	return !r->to;
}

static int nat_release_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct inet_prefix subnet, to[NAT_NOMASQ_MAX];
	struct nat_release *r = arg;
	const char *type = NULL, *s = NULL;
	struct nat_pub p;
	int ret = 0;
	size_t n;

	(void)group;
	/* The record is ours: jansson's getters, which say nothing, read it. */
	type = json_string_value(json_object_get(rec, "type"));
	s = json_string_value(json_object_get(rec, "subnet"));
	if (r->to && !(type && !strcmp(type, "publish") &&
		       nat_pub_from_json(rec, &p) == 0 && nat_release_wanted(r, &p)))
		return 0;
	if (type && !strcmp(type, "publish") && nat_pub_from_json(rec, &p) == 0) {
		ret = nat_pub_del(r->nat, &p, r->owner);
		if (ret == 0)
			nat_record_del(r->nat, r->owner, name);
	} else if (type && !strcmp(type, "masq") && s &&
		   inet_prefix_parse(s, &subnet) == 0)
		ret = nat_masq_del(r->nat, &subnet, r->owner);
	else if (type && !strcmp(type, "nomasq") &&
		 nat_nomasq_from_json(rec, &subnet, to, &n) == 0)
		ret = nat_nomasq_del(r->nat, &subnet, r->owner);
	else if (type && (!strcmp(type, "net") || !strcmp(type, "hairpin")))
		ret = nat_net_record_release(r->nat, rec, r->owner, name);
	else
		nat_record_del(r->nat, r->owner, name); /* damaged: said so */
	if (ret < 0 && !r->err)
		r->err = ret;
	return 0;
}

/**
 * nat_owner_release() - undo everything an owner holds, from its records
 * @nat:	the handle
 * @owner:	the owner
 *
 * The owner's record directory goes with its last record.
 *
 * Return: 0 (also when it holds nothing) or the first negative errno.
 */
int nat_owner_release(struct nat *nat, const char *owner)
{
	return nat_owner_release_to(nat, owner, NULL, 0);
}

/**
 * nat_owner_release_to() - undo the ports an owner publishes to some
 * addresses, from its records
 * @nat:	the handle
 * @owner:	the owner
 * @to:		the container's addresses (their lengths do not matter), or
 *		NULL for everything the owner holds (nat_owner_release())
 * @n_to:	how many
 *
 * Return: 0 (also when it holds nothing) or the first negative errno.
 */
int nat_owner_release_to(struct nat *nat, const char *owner, const struct inet_prefix *to,
			 size_t n_to)
{
	struct nat_release r = { .nat = nat, .owner = owner, .to = to, .n_to = n_to };
	char group[NFT_OWNER_MAX + 1];
	int ret;

	nat_owner_group(owner, group, sizeof(group));
	ret = state_record_for_each(nat->state_dir, NAT_KIND, group, nat_release_one, &r);
	if (ret == 0)
		ret = r.err;
	if (ret == 0)
		ret = state_group_del(nat->state_dir, NAT_KIND, group);
	return ret;
}

static int nat_count_one(const char *group, const char *name, json_t *rec, void *arg)
{
	(void)group;
	(void)name;
	(void)rec;
	++*(int *)arg;
	return 0;
}

/**
 * nat_owner_holds() - how many records an owner has
 * @nat:	the handle
 * @owner:	the owner
 *
 * Return: the number (0 when none), or negative errno (logged).
 */
int nat_owner_holds(struct nat *nat, const char *owner)
{
	char group[NFT_OWNER_MAX + 1];
	int n = 0, ret;

	nat_owner_group(owner, group, sizeof(group));
	ret = state_record_for_each(nat->state_dir, NAT_KIND, group, nat_count_one, &n);
	return ret < 0 ? ret : n;
}
