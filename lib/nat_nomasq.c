// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_nomasq: the destinations a network reaches without masquerade, as
 * ip-masq-agent's nonMasqueradeCIDRs: the cluster's pod CIDR, its service
 * CIDR. They are elements of nomasq4 and nomasq6 (see nft_rules.c), one per
 * subnet of the network and destination, "10.244.1.0/24 . 10.244.0.0/16",
 * owned by the network; the same elements are the network's peers.
 *
 * A subnet's list is a setting of its network, recorded whole
 * (nat/<owner>/nomasq-<subnet>.json: {"type": "nomasq", "subnet", "to"}).
 * Setting it again with another list replaces the old one in one
 * transaction: the CNI configuration that names it is the administrator's,
 * and the latest one is what they want now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

#include "nat_txn.h"

/**
 * nat_nomasq_parse() - add a destination to a list
 * @cidr:	"10.244.0.0/16": a subnet, without host bits
 * @to:		the list, room for NAT_NOMASQ_MAX
 * @n:		how many it holds; one more on success
 *
 * Return: 0, or -EINVAL (logged) for a bad subnet or a list too long.
 */
int nat_nomasq_parse(const char *cidr, struct inet_prefix *to, size_t *n)
{
	if (*n == NAT_NOMASQ_MAX)
		return log_errx(-EINVAL,
				"too many destinations spared from masquerade: at "
				"most %d",
				NAT_NOMASQ_MAX);
	if (inet_subnet_parse(cidr, &to[*n]) < 0)
		return -EINVAL;
	(*n)++;
	return 0;
}

/**
 * nat_nomasq_parse_json() - the destinations a configuration lists
 * @list:	its array of subnets, ["10.244.0.0/16", "fd00:244::/48"]
 * @key:	the key it was found at, for messages
 * @to:		the destinations, room for NAT_NOMASQ_MAX
 * @n:		how many
 *
 * Return: 0, or -EINVAL (logged, naming the key and the entry).
 */
int nat_nomasq_parse_json(const json_t *list, const char *key, struct inet_prefix *to,
			  size_t *n)
{
	json_t *v;
	size_t i;

	*n = 0;
	if (!json_is_array(list) || json_array_size(list) > NAT_NOMASQ_MAX)
		return log_errx(-EINVAL,
				"invalid \"%s\": want an array of at most %d "
				"subnets",
				key, NAT_NOMASQ_MAX);
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) ||
		    inet_prefix_parse(json_string_value(v), &to[i]) < 0 ||
		    inet_prefix_has_host_bits(&to[i]))
			return log_errx(-EINVAL,
					"invalid \"%s[%zu]\": want a subnet such as "
					"10.244.0.0/16 (no host bits)",
					key, i);
	}
	*n = json_array_size(list);
	return 0;
}

static int nat_prefix_cmp(const void *a, const void *b)
{
	const struct inet_prefix *x = a, *y = b;
	int d = inet_addr_cmp(&x->addr, &y->addr);

	return d ? d : (x->len > y->len) - (x->len < y->len);
}

/*
 * Those of @to of @family, sorted, without one that lies inside another:
 * the ranges of a concatenation may not overlap, and the larger one
 * spares the smaller already.
 */
static size_t nat_nomasq_normalize(int family, const struct inet_prefix *to, size_t n,
				   struct inet_prefix *out)
{
	size_t i, k, m = 0;

	for (i = 0; i < n; i++) {
		if (to[i].addr.family == family)
			out[m++] = to[i];
	}
	if (m)
		qsort(out, m, sizeof(*out), nat_prefix_cmp);
	for (i = 0, k = 0; i < m; i++) {
		if (k && inet_prefix_contains(&out[k - 1], &out[i].addr))
			continue; /* sorted: only the last kept can hold it */
		out[k++] = out[i];
	}
	return k;
}

struct nat_nomasq_owned {
	uint8_t first[16], last[16]; /* the subnet */
	const char *owner;
	char what[128];
	char holder[NFT_OWNER_MAX + 1];
};

/* An element of another owner, or of another subnet, that meets the subnet. */
static int nat_nomasq_foreign(const struct nft_elem *e, void *arg)
{
	struct nat_nomasq_owned *o = arg;
	size_t alen = e->set == NFT_NOMASQ6 ? 16 : 4;

	if (!nat_ranges_meet(e->key, e->key_end, o->first, o->last, alen))
		return 0;
	if (!memcmp(e->key, o->first, alen) && !memcmp(e->key_end, o->last, alen) &&
	    !strcmp(e->owner, o->owner))
		return 0;
	nat_elem_what(e, o->what, sizeof(o->what));
	snprintf(o->holder, sizeof(o->holder), "%s", *e->owner ? e->owner : "someone");
	return -EADDRINUSE;
}

/*
 * A subnet's spared destinations are one network's: no element of another
 * owner, nor of another subnet that overlaps it, may meet them.
 */
static int nat_nomasq_check_free(struct nat *nat, const struct inet_prefix *subnet,
			    const char *owner)
{
	struct nat_nomasq_owned o = { .owner = owner };
	size_t alen = inet_addr_bytes(&subnet->addr);
	char buf[INET_PREFIX_STRLEN];
	struct inet_addr last;
	int ret;

	inet_prefix_last(subnet, &last);
	memcpy(o.first, subnet->addr.b, alen);
	memcpy(o.last, last.b, alen);
	ret = nft_elem_for_each(&nat->nl, alen == 16 ? NFT_NOMASQ6 : NFT_NOMASQ4,
				nat_nomasq_foreign, &o);
	if (ret != -EADDRINUSE)
		return ret;
	return log_errx(-EADDRINUSE, "subnet %s is another network's: %s belongs to %s",
			inet_prefix_str(subnet, buf, sizeof(buf)), o.what, o.holder);
}

static void nat_nomasq_record_name(const struct inet_prefix *subnet, char *buf,
				   size_t size)
{
	char addr[INET_ADDR_STRLEN];

	snprintf(buf, size, "nomasq-%s_%u",
		 inet_addr_str(&subnet->addr, addr, sizeof(addr)), subnet->len);
}

static json_t *nat_nomasq_to_json(const struct inet_prefix *subnet,
				  const struct inet_prefix *to, size_t n)
{
	char buf[INET_PREFIX_STRLEN];
	json_t *list = json_array();
	size_t i;

	for (i = 0; list && i < n; i++) {
		if (json_array_append_new(list, json_string(inet_prefix_str(
							&to[i], buf, sizeof(buf))))) {
			json_decref(list);
			return NULL;
		}
	}
	return list ? json_pack("{s:s, s:s, s:o}", "type", "nomasq", "subnet",
				inet_prefix_str(subnet, buf, sizeof(buf)), "to", list) :
		      NULL;
}

/* The owner's recorded list of @subnet: 1, 0 when none, or negative errno. */
static int nat_nomasq_recorded(struct nat *nat, const char *owner,
			       const struct inet_prefix *subnet, json_t **rec,
			       struct inet_prefix *to, size_t *n)
{
	char group[NFT_OWNER_MAX + 1], name[NAT_NAME_MAX];
	struct inet_prefix s;
	int err;

	*n = 0;
	nat_owner_group(owner, group, sizeof(group));
	nat_nomasq_record_name(subnet, name, sizeof(name));
	*rec = state_record_read(nat->state_dir, NAT_KIND, group, name, &err);
	if (!*rec)
		return err == -ENOENT ? 0 : err;
	if (nat_nomasq_from_json(*rec, &s, to, n) < 0) {
		log_warn("record %s of %s is damaged; replaced", name, owner);
		*n = 0;
	}
	return 1;
}

/**
 * nat_nomasq_set() - the destinations a subnet reaches without masquerade
 * @nat:	the handle
 * @subnet:	the network's subnet, no host bits
 * @to:		the destinations (subnets, no host bits) of either family:
 *		those of @subnet's family apply
 * @n:		how many; 0 removes the subnet's list
 * @owner:	the network
 *
 * What @owner set for @subnet before is replaced, in one transaction.
 *
 * Return: 0, or negative errno (logged): -EADDRINUSE when another owner
 * holds an overlapping element.
 */
int nat_nomasq_set(struct nat *nat, const struct inet_prefix *subnet,
		   const struct inet_prefix *to, size_t n, const char *owner)
{
	struct inet_prefix want[NAT_NOMASQ_MAX], had[NAT_NOMASQ_MAX];
	char group[NFT_OWNER_MAX + 1], name[NAT_NAME_MAX];
	size_t n_want, n_had, n_del = 0, i, k;
	struct nft_elem *add, *del;
	json_t *old = NULL, *rec;
	int ret, same;

	if (n > NAT_NOMASQ_MAX)
		return log_errx(-EINVAL, "at most %d destinations", NAT_NOMASQ_MAX);
	n_want = nat_nomasq_normalize(subnet->addr.family, to, n, want);
	rec = nat_nomasq_to_json(subnet, want, n_want);
	add = calloc(2 * NAT_NOMASQ_MAX, sizeof(*add));
	del = add + NAT_NOMASQ_MAX;
	if (!rec || !add) {
		ret = log_err(-ENOMEM, "no masquerade");
		goto out;
	}
	ret = nat_nomasq_recorded(nat, owner, subnet, &old, had, &n_had);
	if (ret < 0)
		goto out;
	same = old && json_equal(old, rec);
	if (!old && !n_want)
		goto out;
	/* What the old list has and the new one lacks goes. */
	nat_nomasq_elems(subnet, had, n_had, owner, del);
	for (i = 0; !same && i < n_had; i++) {
		for (k = 0; k < n_want && nat_prefix_cmp(&had[i], &want[k]); k++)
			;
		if (k == n_want)
			del[n_del++] = del[i];
	}
	nat_owner_group(owner, group, sizeof(group));
	nat_nomasq_record_name(subnet, name, sizeof(name));
	if (!same && n_want)
		ret = nat_nomasq_check_free(nat, subnet, owner);
	/* The record first, so that a killed writer's work is found again. */
	if (ret >= 0 && !same && n_want)
		ret = state_record_write(nat->state_dir, NAT_KIND, group, name, rec);
	nat_nomasq_elems(subnet, want, n_want, owner, add);
	if (ret >= 0)
		ret = nat_apply(nat, add, n_want, del, n_del, 0);
	if (ret >= 0 && !n_want)
		ret = state_record_del(nat->state_dir, NAT_KIND, group, name);
	else if (ret < 0 && !same && old) /* all or nothing */
		state_record_write(nat->state_dir, NAT_KIND, group, name, old);
	else if (ret < 0 && !same)
		state_record_del(nat->state_dir, NAT_KIND, group, name);
out:
	free(add);
	json_decref(old);
	json_decref(rec);
	return ret < 0 ? ret : 0;
}

/**
 * nat_nomasq_del() - remove what an owner set for a subnet
 * @nat:	the handle
 * @subnet:	the subnet
 * @owner:	the network
 *
 * Return: 0 (also when it set nothing) or negative errno (logged).
 */
int nat_nomasq_del(struct nat *nat, const struct inet_prefix *subnet, const char *owner)
{
	return nat_nomasq_set(nat, subnet, NULL, 0, owner);
}

/**
 * nat_nomasq_check() - tell whether a subnet's list is in place, as its
 * owner set it
 * @nat:	the handle
 * @subnet:	the network's subnet, no host bits
 * @to:		the destinations, of either family: those of @subnet's apply
 * @n:		how many
 * @owner:	the network
 *
 * Only what is missing or held by another counts: an element the list no
 * longer names is taken away by the next setup, not here.
 *
 * Return: 0, -ENOENT (logged, naming the first element missing or held by
 * another), or another negative errno (logged).
 */
int nat_nomasq_check(struct nat *nat, const struct inet_prefix *subnet,
		     const struct inet_prefix *to, size_t n, const char *owner)
{
	struct inet_prefix want[NAT_NOMASQ_MAX];
	struct nft_elem *e = calloc(NAT_NOMASQ_MAX, sizeof(*e));
	size_t i, n_want;
	int ret = 0;

	if (!e)
		return log_err(-ENOMEM, "check");
	n_want = nat_nomasq_normalize(subnet->addr.family, to, n < NAT_NOMASQ_MAX ? n :
										    NAT_NOMASQ_MAX,
				      want);
	nat_nomasq_elems(subnet, want, n_want, owner, e);
	for (i = 0; ret == 0 && i < n_want; i++)
		ret = nat_elem_check(nat, &e[i]);
	free(e);
	return ret;
}
