// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_record: plumb-nat's records read back into the elements they ask the
 * table for: each kind of record ("masq", "nomasq", "publish", "net",
 * "hairpin"; written by nat_masq.c, nat_nomasq.c, nat_pub.c, nat_net.c and
 * nat_port.c) and all of them at once, for reconcile and for a table of
 * another layout made again (nat_table.c). Nothing here changes the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

#include "nat_txn.h"

/* --- one record --------------------------------------------------------- */

/**
 * nat_net_elems() - the three elements a bridge's policy may have
 * @bridge:	the bridge
 * @owner:	kept in each element's comment
 * @out:	room for NAT_NET_ELEMS: "B . B" in samebr, B in isolated, B in
 *		guarded, in that order
 */
void nat_net_elems(const char *bridge, const char *owner, struct nft_elem *out)
{
	static const enum nft_set_id sets[NAT_NET_ELEMS] = { NFT_SAMEBR, NFT_ISOLATED,
							     NFT_GUARDED };
	size_t len = strnlen(bridge, IFNAMSIZ - 1), i;

	memset(out, 0, NAT_NET_ELEMS * sizeof(*out));
	for (i = 0; i < NAT_NET_ELEMS; i++) {
		out[i].set = sets[i];
		memcpy(out[i].key, bridge, len);
		snprintf(out[i].owner, sizeof(out[i].owner), "%s", owner);
	}
	memcpy(out[0].key + IFNAMSIZ, bridge, len); /* "B . B" */
}

/**
 * nat_net_wants() - tell whether a policy wants one of nat_net_elems()
 * @n:		the policy
 * @i:		which
 *
 * Return: 1 or 0.
 */
int nat_net_wants(const struct nat_net *n, size_t i)
{
	return i == 0 ? n->isolate || n->guard : i == 1 ? n->isolate : n->guard;
}

/**
 * nat_net_from_json() - a network's policy back from its record
 * @j:		the record
 * @n:		the policy
 *
 * Return: 0, or -EBADMSG (not logged) for a damaged record.
 */
int nat_net_from_json(const json_t *j, struct nat_net *n)
{
	const char *bridge = NULL, *made_by = NULL;
	int direct = 1;

	memset(n, 0, sizeof(*n));
	if (json_get_string(j, "bridge", &bridge) <= 0 ||
	    nl_link_name_check_try(bridge, NULL) < 0 ||
	    json_get_string(j, "made_by", &made_by) <= 0 ||
	    json_get_bool(j, "isolate", &n->isolate) <= 0 ||
	    json_get_bool(j, "direct_access", &direct) <= 0)
		return -EBADMSG;
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	snprintf(n->made_by, sizeof(n->made_by), "%s", made_by);
	n->guard = !direct;
	return 0;
}

/**
 * nat_net_record_elems() - the elements a "net" or "hairpin" record asks for
 * @rec:	the record
 * @owner:	its owner
 * @out:	room for three elements
 *
 * Return: how many, 0 for a record of another type, or -EBADMSG (not
 * logged) for a damaged one.
 */
int nat_net_record_elems(const json_t *rec, const char *owner, struct nft_elem *out)
{
	struct nft_elem e[NAT_NET_ELEMS];
	const char *type = NULL, *s = NULL;
	struct inet_prefix subnet;
	struct nat_net n;
	int i, k = 0;

	json_get_string(rec, "type", &type);
	if (type && !strcmp(type, "hairpin")) {
		if (json_get_string(rec, "subnet", &s) <= 0 ||
		    inet_prefix_parse(s, &subnet) < 0 ||
		    inet_prefix_has_host_bits(&subnet))
			return -EBADMSG;
		nat_hairpin_elem(&subnet, owner, out);
		return 1;
	}
	if (!type || strcmp(type, "net"))
		return 0;
	if (nat_net_from_json(rec, &n) < 0)
		return -EBADMSG;
	nat_net_elems(n.bridge, owner, e);
	for (i = 0; i < NAT_NET_ELEMS; i++) {
		if (nat_net_wants(&n, (size_t)i))
			out[k++] = e[i];
	}
	return k;
}

/**
 * nat_hairpin_elem() - the element a subnet's hairpin becomes
 * @subnet:	the subnet, no host bits
 * @owner:	kept in the element's comment
 * @e:		the element, of hairpin4 or hairpin6
 */
void nat_hairpin_elem(const struct inet_prefix *subnet, const char *owner,
		      struct nft_elem *e)
{
	nat_masq_elem(subnet, owner, e);
	e->set = subnet->addr.family == AF_INET6 ? NFT_HAIRPIN6 : NFT_HAIRPIN4;
}

/**
 * nat_nomasq_elems() - the elements of a subnet's list
 * @subnet:	the network's subnet
 * @to:		destinations of its family, none inside another
 * @n:		how many
 * @owner:	the network, kept in each element's comment
 * @out:	room for @n elements
 */
void nat_nomasq_elems(const struct inet_prefix *subnet, const struct inet_prefix *to,
		      size_t n, const char *owner, struct nft_elem *out)
{
	size_t alen = inet_addr_bytes(&subnet->addr), i;
	struct inet_addr last;

	for (i = 0; i < n; i++) {
		struct nft_elem *e = &out[i];

		memset(e, 0, sizeof(*e));
		e->set = alen == 16 ? NFT_NOMASQ6 : NFT_NOMASQ4;
		e->has_end = 1;
		memcpy(e->key, subnet->addr.b, alen);
		memcpy(e->key + alen, to[i].addr.b, alen);
		inet_prefix_last(subnet, &last);
		memcpy(e->key_end, last.b, alen);
		inet_prefix_last(&to[i], &last);
		memcpy(e->key_end + alen, last.b, alen);
		snprintf(e->owner, sizeof(e->owner), "%s", owner);
	}
}

/**
 * nat_ranges_meet() - do two ranges of keys meet?
 * @a:		the first key of one
 * @a_end:	its last
 * @b:		the first key of the other
 * @b_end:	its last
 * @len:	bytes of a key
 *
 * Return: 1 when some key lies in both, else 0.
 */
int nat_ranges_meet(const uint8_t *a, const uint8_t *a_end, const uint8_t *b,
		    const uint8_t *b_end, size_t len)
{
	return memcmp(a, b_end, len) <= 0 && memcmp(b, a_end, len) <= 0;
}

/**
 * nat_nomasq_overlap() - do two elements of nomasq4 (or nomasq6) overlap?
 * @a:		one
 * @b:		the other, of the same set
 *
 * The kernel refuses an element only where one of its ends falls inside
 * another; one that holds another whole is taken, and which of the two a
 * packet then finds depends on the order they came in.
 *
 * Return: 1 when some key lies in both, else 0.
 */
int nat_nomasq_overlap(const struct nft_elem *a, const struct nft_elem *b)
{
	size_t alen = a->set == NFT_NOMASQ6 ? 16 : 4;

	return nat_ranges_meet(a->key, a->key_end, b->key, b->key_end, alen) &&
	       nat_ranges_meet(a->key + alen, a->key_end + alen, b->key + alen,
			       b->key_end + alen, alen);
}

/**
 * nat_nomasq_from_json() - a subnet's list back from its record
 * @rec:	the record
 * @subnet:	the subnet
 * @to:		the destinations, room for NAT_NOMASQ_MAX
 * @n:		how many
 *
 * Return: 0, or -EBADMSG (not logged) for a damaged record.
 */
int nat_nomasq_from_json(const json_t *rec, struct inet_prefix *subnet,
			 struct inet_prefix *to, size_t *n)
{
	const char *s = json_string_value(json_object_get(rec, "subnet"));
	json_t *list = json_object_get(rec, "to"), *v;
	size_t i;

	*n = 0;
	if (!s || inet_prefix_parse(s, subnet) < 0 || inet_prefix_has_host_bits(subnet) ||
	    !json_is_array(list) || json_array_size(list) > NAT_NOMASQ_MAX)
		return -EBADMSG;
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) ||
		    inet_prefix_parse(json_string_value(v), &to[i]) < 0 ||
		    inet_prefix_has_host_bits(&to[i]) ||
		    to[i].addr.family != subnet->addr.family)
			return -EBADMSG;
	}
	*n = json_array_size(list);
	return 0;
}

/* --- every record ------------------------------------------------------- */

static int nat_want_pub(struct nat_wanted *w, const char *owner, const json_t *rec)
{
	struct nft_elem *e = calloc(2 * NAT_PORTS_MAX, sizeof(*e));
	struct nat_pub p;
	size_t i, n;
	int ret = 0;

	if (!e)
		return -ENOMEM;
	if (nat_pub_from_json(rec, &p) == 0) {
		n = nat_pub_elems(&p, owner, e);
		for (i = 0; ret == 0 && i < n; i++)
			ret = nat_elems_add(&e[i], &w->all);
		if (p.localhost &&
		    w->n_localhost < sizeof(w->localhost) / sizeof(w->localhost[0]))
			w->localhost[w->n_localhost++] = p;
	}
	free(e);
	return ret;
}

static int nat_want_nomasq(struct nat_wanted *w, const char *owner, const json_t *rec,
			   const char *name)
{
	struct inet_prefix subnet, to[NAT_NOMASQ_MAX];
	struct nft_elem *e;
	size_t i, n;
	int ret = 0;

	if (nat_nomasq_from_json(rec, &subnet, to, &n) < 0) {
		log_warn("record %s of %s is damaged; skipped", name, owner);
		return 0;
	}
	e = calloc(NAT_NOMASQ_MAX, sizeof(*e));
	if (!e)
		return -ENOMEM;
	nat_nomasq_elems(&subnet, to, n, owner, e);
	for (i = 0; ret == 0 && i < n; i++)
		ret = nat_elems_add(&e[i], &w->all);
	free(e);
	return ret;
}

/* A network's policy or a hairpin (nat_net.c), or a damaged record. */
static int nat_want_net(struct nat_wanted *w, const char *owner, const char *name,
			const json_t *rec)
{
	struct nft_elem e[3];
	int i, n, ret = 0;

	n = nat_net_record_elems(rec, owner, e);
	if (n <= 0) {
		log_warn("record %s of %s is damaged; skipped", name, owner);
		return 0;
	}
	for (i = 0; ret == 0 && i < n; i++)
		ret = nat_elems_add(&e[i], &w->all);
	return ret;
}

static int nat_want_one(const char *group, const char *name, json_t *rec, void *arg)
{
	char owner[NFT_OWNER_MAX + 1];
	const char *type = NULL, *s = NULL;
	struct inet_prefix subnet;
	struct nft_elem e;

	(void)name;
	nat_group_owner(group, owner, sizeof(owner));
	/* The record is ours: jansson's getters, which say nothing, read it. */
	type = json_string_value(json_object_get(rec, "type"));
	s = json_string_value(json_object_get(rec, "subnet"));
	if (type && !strcmp(type, "publish"))
		return nat_want_pub(arg, owner, rec);
	if (type && !strcmp(type, "masq") && s && inet_prefix_parse(s, &subnet) == 0 &&
	    !inet_prefix_has_host_bits(&subnet)) {
		nat_masq_elem(&subnet, owner, &e);
		return nat_elems_add(&e, &((struct nat_wanted *)arg)->all);
	}
	if (type && !strcmp(type, "nomasq"))
		return nat_want_nomasq(arg, owner, rec, name);
	return nat_want_net(arg, owner, name, rec);
}

/**
 * nat_wanted_load() - every element the records of a state directory ask for
 * @state_dir:	where the records are
 * @err:	0, or negative errno (logged) when NULL is returned
 *
 * Damaged records are said and skipped.
 *
 * Return: the elements and the mappings published on localhost, for
 * nat_wanted_free(), or NULL.
 */
struct nat_wanted *nat_wanted_load(const char *state_dir, int *err)
{
	struct nat_wanted *w = calloc(1, sizeof(*w));

	*err = w ? state_record_for_each(state_dir, NAT_KIND, NULL, nat_want_one, w) :
		   log_err(-ENOMEM, "read plumb-nat's records");
	if (*err < 0) {
		nat_wanted_free(w);
		return NULL;
	}
	return w;
}

/**
 * nat_wanted_free() - free what nat_wanted_load() returned
 * @w:		it, or NULL
 */
void nat_wanted_free(struct nat_wanted *w)
{
	if (w)
		free(w->all.v);
	free(w);
}
