// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat: masquerade and published ports for containers, as elements of the
 * sets and maps of plumb's table (see nft_rules.c for the rules, which never
 * change). This file has the handle, the changes every element goes
 * through and the flush; masquerade is in nat_masq.c, the destinations it
 * spares in nat_nomasq.c, published ports in nat_pub.c, an owner's release,
 * listing and reconcile in nat_sync.c.
 *
 * Theory of operation: a change first records what it is about to do
 * (<state>/nat/<owner>/<name>.json), then reads the ruleset generation, looks
 * up the keys it will add, and refuses a key that someone else holds, naming
 * them. It then commits its elements against that generation; if another
 * writer got there first the kernel says ERESTART and it starts over. The
 * records let "reconcile" rebuild everything after the ruleset was flushed,
 * and let teardown find what an owner holds without being told again.
 * After a port changes hands, the conntrack entries of flows to it are
 * deleted, so that no old flow keeps going where the port no longer leads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <plumb/fault.h>
#include <plumb/foreign.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

#include "nat_txn.h"

#define NAT_RETRIES 32

/**
 * nat_open() - get a handle on the NAT of a namespace
 * @nat:	the handle
 * @netns_fd:	the namespace, -1 for ours
 * @state_dir:	where records live; the handle keeps a copy
 *
 * Return: 0 or negative errno (logged).
 */
int nat_open(struct nat *nat, int netns_fd, const char *state_dir)
{
	*nat = (struct nat){ .netns_fd = netns_fd }; /* nat_close() works on failure */
	if ((size_t)snprintf(nat->state_dir, sizeof(nat->state_dir), "%s", state_dir) >=
	    sizeof(nat->state_dir))
		return log_errx(-ENAMETOOLONG, "state directory %.64s...: too long",
				state_dir);
	return nft_open(&nat->nl, netns_fd);
}

/**
 * nat_state_dir() - where the records of a namespace's table live
 * @netns_fd:	the namespace, -1 for ours
 * @buf:	STATE_DIR, or STATE_DIR/netns/<its inode> for another namespace:
 *		each table has records of its own, so that "reconcile" in one
 *		brings back only what is its own
 * @size:	room at @buf
 *
 * Return: 0 or negative errno (logged).
 */
int nat_state_dir(int netns_fd, char *buf, size_t size)
{
	struct stat st;

	if (netns_fd < 0) {
		snprintf(buf, size, "%s", STATE_DIR);
		return 0;
	}
	if (fstat(netns_fd, &st) < 0)
		return log_err(-errno, "look at a network namespace");
	snprintf(buf, size, STATE_DIR "/netns/%lu", (unsigned long)st.st_ino);
	return 0;
}

/**
 * nat_open_netns() - nat_open() with the records nat_state_dir() gives the
 * namespace: its own table's
 * @nat:	the handle
 * @netns_fd:	the namespace, -1 for ours
 *
 * Return: 0 or negative errno (logged); nat_close() works either way.
 */
int nat_open_netns(struct nat *nat, int netns_fd)
{
	char dir[NAT_STATE_DIR_MAX];
	int ret;

	*nat = (struct nat){ .netns_fd = netns_fd };
	ret = nat_state_dir(netns_fd, dir, sizeof(dir));
	return ret < 0 ? ret : nat_open(nat, netns_fd, dir);
}

/**
 * nat_close() - release a handle
 * @nat:	the handle
 */
void nat_close(struct nat *nat)
{
	nl_close(&nat->nl);
}

/**
 * nat_elem_what() - an element in words, for messages
 * @e:		the element
 * @buf:	"tcp port 8080", "udp port 53 on 192.0.2.1", "masquerade of
 *		10.88.0.0/16"
 * @size:	room at @buf
 */
void nat_elem_what(const struct nft_elem *e, char *buf, size_t size)
{
	json_t *j = NULL;

	struct inet_prefix p = { .addr.family = e->set == NFT_MASQ6 ? AF_INET6 :
								      AF_INET };
	char subnet[INET_PREFIX_STRLEN];

	if (e->set == NFT_MASQ4 || e->set == NFT_MASQ6) {
		memcpy(p.addr.b, e->key, nft_key_len(e->set));
		p.len = nat_interval_len(&p.addr, e->key_end, !e->has_end);
		snprintf(buf, size, "masquerade of %s",
			 inet_prefix_str(&p, subnet, sizeof(subnet)));
	} else if ((e->set == NFT_NOMASQ4 || e->set == NFT_NOMASQ6) &&
		   nat_nomasq_describe(e, &j) == 0) {
		snprintf(buf, size, "no masquerade from %s to %s",
			 json_string_value(json_object_get(j, "subnet")),
			 json_string_value(json_object_get(j, "to")));
	} else if (e->set == NFT_MASQ4 || e->set == NFT_MASQ6 || e->set == NFT_NOMASQ4 ||
		   e->set == NFT_NOMASQ6 || e->set >= NFT_LOCALNET ||
		   nat_elem_describe(e, &j) < 0) {
		snprintf(buf, size, "this element of %s", nft_set_name(e->set));
	} else if (json_is_string(json_object_get(j, "host_ip"))) {
		snprintf(buf, size, "%s port %lld on %s",
			 json_string_value(json_object_get(j, "proto")),
			 json_integer_value(json_object_get(j, "host_port")),
			 json_string_value(json_object_get(j, "host_ip")));
	} else {
		snprintf(buf, size, "%s port %lld",
			 json_string_value(json_object_get(j, "proto")),
			 json_integer_value(json_object_get(j, "host_port")));
	}
	json_decref(j);
}

/* @e as the kernel has it, in @cur: 1 when there, 0 when not, or negative errno. */
static int nat_look(struct nat *nat, const struct nft_elem *e, struct nft_elem *cur)
{
	*cur = (struct nft_elem){ .set = e->set, .has_end = e->has_end };
	memcpy(cur->key, e->key, sizeof(cur->key));
	memcpy(cur->key_end, e->key_end, sizeof(cur->key_end));
	return nft_elem_get(&nat->nl, cur);
}

static void nat_elem_swap(struct nft_elem *a, struct nft_elem *b)
{
	struct nft_elem tmp = *a;

	*a = *b;
	*b = tmp;
}

/*
 * Sets whose elements are facts several owners may want (a bridge is
 * isolated, a subnet's hairpin is masqueraded): an element someone else put
 * there serves every owner who wants it, and keeps its first owner.
 */
static int nat_set_shared(enum nft_set_id set)
{
	return set == NFT_LOCALNET || set == NFT_SAMEBR || set == NFT_ISOLATED ||
	       set == NFT_GUARDED || set == NFT_HAIRPIN4 || set == NFT_HAIRPIN6;
}

/*
 * Which of @e are missing from the kernel? They are moved to the front; the
 * ones present with the same owner and value are done already. A key held by
 * another owner, or by the same one for another value, is a conflict, but in
 * a set whose elements are shared.
 */
static int nat_missing(struct nat *nat, struct nft_elem *e, size_t n, size_t *missing)
{
	struct nft_elem cur;
	char what[128], who[NAT_WHO_MAX];
	size_t i;
	int ret;

	*missing = 0;
	for (i = 0; i < n; i++) {
		ret = nat_look(nat, &e[i], &cur);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			nat_elem_swap(&e[(*missing)++], &e[i]);
			continue;
		}
		if (nat_set_shared(e[i].set))
			continue;
		nat_elem_what(&e[i], what, sizeof(what));
		nat_owner_describe(cur.owner, who, sizeof(who));
		if (!nat_owner_same(cur.owner, e[i].owner))
			return log_errx(-EADDRINUSE, "%s is taken by %s", what, who);
		if (memcmp(cur.data, e[i].data, nft_data_len(e[i].set)))
			return log_errx(-EADDRINUSE,
					"%s is already taken by %s for "
					"another address",
					what, who);
	}
	return 0;
}

/**
 * nat_elem_check() - tell whether an element is in the kernel, held by the
 * owner it names
 * @nat:	the handle
 * @e:		the element
 *
 * Return: 0, -ENOENT (logged, naming it and, when another holds it, who),
 * or another negative errno (logged).
 */
int nat_elem_check(struct nat *nat, const struct nft_elem *e)
{
	struct nft_elem cur;
	char what[128], who[NAT_WHO_MAX];
	int ret = nat_look(nat, e, &cur);

	if (ret < 0)
		return ret;
	nat_elem_what(e, what, sizeof(what));
	if (ret == 0)
		return log_errx(-ENOENT, "%s is missing", what);
	if (strcmp(cur.owner, e->owner))
		return log_errx(-ENOENT, "%s is held by %s, not by %s", what,
				nat_owner_describe(cur.owner, who, sizeof(who)), e->owner);
	return 0;
}

struct nat_port_clash {
	const struct nft_elem *e;
	size_t n;
	size_t key_off; /* where proto . port start in the other map's keys */
};

static int nat_clash_one(const struct nft_elem *other, void *arg)
{
	struct nat_port_clash *c = arg;
	char what[128], who[NAT_WHO_MAX];
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (memcmp(other->key + c->key_off, c->e[i].key, 8))
			continue;
		nat_elem_what(&c->e[i], what, sizeof(what));
		return log_errx(-EADDRINUSE, "%s is taken on one host address by %s",
				what, nat_owner_describe(other->owner, who, sizeof(who)));
	}
	return 0;
}

/*
 * A port published on every host address clashes with the same port on one
 * of them, and the reverse: the host address-specific map is small, so it is
 * listed; the general one is looked up key by key.
 */
static int nat_cross_check(struct nat *nat, const struct nft_elem *e, size_t n)
{
	struct nat_port_clash c = { .e = e, .n = n };
	struct nft_elem any;
	char what[128], who[NAT_WHO_MAX];
	size_t i, alen;
	int ret;

	if (!n || e[0].set == NFT_PUB4 || e[0].set == NFT_PUB6) {
		if (!n)
			return 0;
		c.key_off = e[0].set == NFT_PUB6 ? 16 : 4;
		return nft_elem_for_each(
			&nat->nl, e[0].set == NFT_PUB6 ? NFT_PUBADDR6 : NFT_PUBADDR4,
			nat_clash_one, &c);
	}
	if (e[0].set != NFT_PUBADDR4 && e[0].set != NFT_PUBADDR6)
		return 0;
	alen = e[0].set == NFT_PUBADDR6 ? 16 : 4;
	for (i = 0; i < n; i++) {
		any = (struct nft_elem){ .set = e[0].set == NFT_PUBADDR6 ? NFT_PUB6 :
									   NFT_PUB4 };
		memcpy(any.key, e[i].key + alen, 8);
		ret = nft_elem_get(&nat->nl, &any);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			nat_elem_what(&any, what, sizeof(what));
			return log_errx(-EADDRINUSE,
					"%s is taken on every host address by %s", what,
					nat_owner_describe(any.owner, who, sizeof(who)));
		}
	}
	return 0;
}

/*
 * Which of @e are in the kernel, held by the owner each names? They are
 * moved to the front. Those held by another are left alone.
 */
static int nat_present(struct nat *nat, struct nft_elem *e, size_t n, size_t *present)
{
	struct nft_elem cur;
	size_t i;
	int ret;

	*present = 0;
	for (i = 0; i < n; i++) {
		ret = nat_look(nat, &e[i], &cur);
		if (ret < 0)
			return ret;
		if (ret > 0 && !strcmp(cur.owner, e[i].owner))
			nat_elem_swap(&e[(*present)++], &e[i]);
	}
	return 0;
}

/**
 * nat_apply() - add elements, some of which may be there already, and
 * delete others in the same transaction
 * @nat:	the handle
 * @e:		the elements to add (reordered: the missing ones first)
 * @n:		how many
 * @old:	elements to delete where their owners still hold them
 *		(reordered: those first), or NULL
 * @n_old:	how many
 * @cross:	check the other publish map too (a port on every address
 *		against the same port on one, and the other way round)
 *
 * Against the generation read, until no other writer gets in between. The
 * deletions go first, so that what replaces them is never missing, nor
 * there twice, to a packet. A table an earlier plumb made is brought to
 * this plumb's layout first (nat_table_upgrade()).
 *
 * Return: 0, or negative errno (logged): -EADDRINUSE naming the holder of
 * a key that someone else has.
 */
int nat_apply(struct nat *nat, struct nft_elem *e, size_t n, struct nft_elem *old,
	      size_t n_old, int cross)
{
	struct nft_txn txn = { 0 };
	uint32_t genid;
	int attempt, create = 0, clashes = 0, ret;
	size_t missing, present = 0;

	ret = nat_table_upgrade(nat, e, n);
	if (ret < 0)
		return ret;
	/*
	 * What is shared (a network's masquerade, a bridge in localnet) is
	 * usually there already: one look, without the generation, settles it.
	 * A published port is usually new: looking first would look twice.
	 */
	if (!cross && !n_old) {
		ret = nat_missing(nat, e, n, &missing);
		if (ret < 0 || !missing)
			return ret;
	}
	for (attempt = 0; attempt < NAT_RETRIES; attempt++) {
		ret = nft_gen_get(&nat->nl, &genid);
		if (ret == 0)
			ret = nat_missing(nat, e, n, &missing);
		if (ret == 0 && cross)
			ret = nat_cross_check(nat, e, missing);
		if (ret == 0 && n_old)
			ret = nat_present(nat, old, n_old, &present);
		if (ret < 0 || (!missing && !present))
			return ret;
		/* Without a table every key is missing; the commit says which. */
		txn = (struct nft_txn){
			.create = create,
			.add = e,
			.n_add = missing,
			.del = old,
			.n_del = present,
		};
		ret = nft_commit(&nat->nl, genid, &txn);
		if (ret == -ENOENT && !create) {
			create = 1; /* no table yet: make it with the elements */
			continue;
		}
		if (ret == -EEXIST && create) {
			create = 0; /* made meanwhile by another */
			continue;
		}
		/* EEXIST: a key was added meanwhile: look again, to say whose. */
		if (ret == -EEXIST && ++clashes > 2)
			return nl_err(&nat->nl, ret,
				      "add to %s: overlaps an element there",
				      nft_set_name(e[0].set));
		if (ret != -ERESTART && ret != -EEXIST)
			break;
	}
	if (ret == -ERESTART || ret == -EEXIST)
		return log_errx(-EAGAIN,
				"nftables kept changing under us; gave up after "
				"%d tries",
				NAT_RETRIES);
	if (ret < 0)
		return nl_err(&nat->nl, ret, "add elements to table inet " NFT_TABLE);
	return 0;
}

/**
 * nat_apply_add() - add elements, some of which may be there already
 * @nat:	the handle
 * @e:		the elements (reordered: the missing ones first)
 * @n:		how many
 * @cross:	as for nat_apply()
 *
 * Return: as nat_apply().
 */
int nat_apply_add(struct nat *nat, struct nft_elem *e, size_t n, int cross)
{
	return nat_apply(nat, e, n, NULL, 0, cross);
}

/**
 * nat_apply_del() - delete those of some elements that are present
 * @nat:	the handle
 * @e:		the elements: the owner of each one deleted is left in
 *		@e[i].owner, and @e[i].set is NFT_SET_COUNT for those absent
 * @n:		how many
 * @owner:	refuse those held by someone else, or NULL
 *
 * Return: 0, or negative errno (logged): -EPERM naming the holder.
 */
int nat_apply_del(struct nat *nat, struct nft_elem *e, size_t n, const char *owner)
{
	struct nft_elem *present = calloc(n ? n : 1, sizeof(*present));
	struct nft_txn txn = { 0 };
	char what[128], who[NAT_WHO_MAX], whom[NAT_WHO_MAX];
	uint32_t genid;
	size_t i, k;
	int attempt, ret = -ENOMEM;

	for (attempt = 0; present && attempt < NAT_RETRIES; attempt++) {
		ret = nft_gen_get(&nat->nl, &genid);
		for (i = 0, k = 0; ret == 0 && i < n; i++) {
			ret = nat_look(nat, &e[i], &present[k]);
			if (ret <= 0)
				continue;
			nat_elem_what(&e[i], what, sizeof(what));
			if (owner && strcmp(present[k].owner, owner)) {
				ret = log_errx(
					-EPERM, "%s belongs to %s, not to %s", what,
					nat_owner_describe(present[k].owner, who,
							   sizeof(who)),
					nat_owner_describe(owner, whom, sizeof(whom)));
				break;
			}
			memcpy(e[i].owner, present[k].owner, sizeof(e[i].owner));
			k++;
			ret = 0;
		}
		if (ret < 0 || !k)
			break;
		txn = (struct nft_txn){ .del = present, .n_del = k };
		ret = nft_commit(&nat->nl, genid, &txn);
		if (ret == 0)
			fault_point("nft-deleted");
		if (ret != -ERESTART && ret != -ENOENT)
			break;
	}
	free(present);
	if (ret == -ERESTART || ret == -ENOENT)
		return log_errx(-EAGAIN, "nftables kept changing under us; gave up");
	if (ret < 0 && ret != -EPERM)
		return nl_err(&nat->nl, ret, "delete elements of table inet " NFT_TABLE);
	return ret;
}

/**
 * nat_record_write() - write one of an owner's records, over what was there
 * @nat:	the handle
 * @owner:	the owner
 * @name:	the record
 * @rec:	what it records
 *
 * Return: 0 or negative errno (logged).
 */
int nat_record_write(struct nat *nat, const char *owner, const char *name,
		     const json_t *rec)
{
	char group[NFT_OWNER_MAX + 1];

	nat_owner_group(owner, group, sizeof(group));
	return state_record_write(nat->state_dir, NAT_KIND, group, name, rec);
}

/**
 * nat_record_del() - remove one of an owner's records
 * @nat:	the handle
 * @owner:	the owner
 * @name:	the record
 */
void nat_record_del(struct nat *nat, const char *owner, const char *name)
{
	char group[NFT_OWNER_MAX + 1];

	nat_owner_group(owner, group, sizeof(group));
	state_record_del(nat->state_dir, NAT_KIND, group, name);
}

/**
 * nat_record_intent() - record what a change is about to do
 * @nat:	the handle
 * @owner:	who changes
 * @name:	the record's name
 * @rec:	what it records
 *
 * Return: 1 when it is new, 0 when the same was there, or negative errno
 * (logged): -EEXIST when the owner has it with other settings.
 */
int nat_record_intent(struct nat *nat, const char *owner, const char *name, json_t *rec)
{
	char group[NFT_OWNER_MAX + 1];
	json_t *old;
	int err, same;

	nat_owner_group(owner, group, sizeof(group));
	old = state_record_read(nat->state_dir, NAT_KIND, group, name, &err);
	if (old) {
		same = json_equal(old, rec);
		json_decref(old);
		if (!same)
			return log_errx(-EEXIST,
					"%s already has %s, with other settings; "
					"undo it first",
					owner, name);
		return 0;
	}
	if (err != -ENOENT)
		return err;
	err = nat_record_write(nat, owner, name, rec);
	return err < 0 ? err : 1;
}
