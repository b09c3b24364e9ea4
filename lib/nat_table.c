// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_table: plumb's table as a whole, brought to what plumb's records ask
 * for in one transaction: made with every element when it is missing (a
 * firewall reload flushed the ruleset), given the elements it lacks, or,
 * when an earlier plumb-nat made it with another layout (sets, chains and
 * rules: nft_rules.c, NFT_LAYOUT), deleted and made again with them all.
 *
 * Theory of operation: the layout is kept in the table's comment, so one
 * lookup tells a table of this plumb from an older one. Adding to an older
 * table fails where it lacks a set, or works without the rules that give
 * the elements their meaning; a change (nat_apply()) therefore looks at the
 * layout first, once per handle, and reconcile (nat_sync.c) does it every
 * time. Making the table again from the records, rather than copying the
 * old one, is what brings the sets the old table did not have. The old
 * table's localnet, which has no records, is carried over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/nft.h>

#include "nat_txn.h"

/* Every element of the table, sorted; none when there is no table. */
static int nat_have(struct nat *nat, struct nat_elems *have)
{
	int set, ret = 0;

	for (set = 0; ret == 0 && set < NFT_SET_COUNT; set++)
		ret = nft_elem_for_each(&nat->nl, (enum nft_set_id)set, nat_elems_add,
					have);
	if (ret == 0 && have->n)
		qsort(have->v, have->n, sizeof(*have->v), nat_elem_cmp);
	return ret;
}

/* @e's key in @have, or NULL. */
static const struct nft_elem *nat_had(const struct nat_elems *have,
				      const struct nft_elem *e)
{
	if (!have->n)
		return NULL;
	return bsearch(e, have->v, have->n, sizeof(*have->v), nat_elem_cmp);
}

/* Keep only the wanted elements the kernel lacks. */
static void nat_drop_present(struct nat_elems *want, const struct nat_elems *have)
{
	size_t i, k = 0;

	for (i = 0; i < want->n; i++) {
		if (!nat_had(have, &want->v[i]))
			want->v[k++] = want->v[i];
	}
	want->n = k;
}

/* Equal keys next to each other, ordered by owner. */
static int nat_want_cmp(const void *a, const void *b)
{
	const struct nft_elem *x = a, *y = b;
	int d = nat_elem_cmp(a, b);

	return d ? d : strcmp(x->owner, y->owner);
}

/* A kept element of concatenated ranges that @e overlaps, or NULL. */
static const struct nft_elem *nat_overlapped(const struct nft_elem *kept, size_t k,
					     const struct nft_elem *e)
{
	size_t j;

	for (j = 0; nft_set_concat(e->set) && j < k; j++) {
		if (kept[j].set == e->set && nat_nomasq_overlap(&kept[j], e))
			return &kept[j];
	}
	return NULL;
}

/* Of the run of equal keys v[i] to v[j - 1], the one whose owner holds it in @have. */
static size_t nat_holder(const struct nft_elem *v, size_t i, size_t j,
			 const struct nat_elems *have)
{
	const struct nft_elem *held = nat_had(have, &v[i]);
	size_t m;

	for (m = i; held && m < j; m++) {
		if (!strcmp(v[m].owner, held->owner))
			return m;
	}
	return i;
}

/*
 * Two records can ask for one key: an owner's ranges that overlap, or a
 * port published by another while the table was gone, or one another
 * plumb-nat is about to add. One transaction cannot add a key twice
 * (EEXIST, and nothing at all would come back): the owner who holds it in
 * @have keeps it, else the first in order, and a clash between owners is
 * said. Ranges of a concatenation must not even overlap (the kernel takes
 * some overlaps and not others, by the order they come in): the first kept
 * wins there too.
 */
static void nat_drop_twins(struct nat_elems *want, const struct nat_elems *have)
{
	const struct nft_elem *over;
	struct nft_elem *v = want->v;
	size_t i, j, m, keep, k = 0;

	if (want->n)
		qsort(v, want->n, sizeof(*v), nat_want_cmp);
	for (i = 0; i < want->n; i = j) {
		for (j = i + 1; j < want->n && !nat_elem_cmp(&v[i], &v[j]); j++)
			;
		keep = nat_holder(v, i, j, have);
		for (m = i; m < j; m++) {
			if (strcmp(v[keep].owner, v[m].owner))
				log_warn("%s and %s want one element of %s; %s keeps it",
					 v[keep].owner, v[m].owner,
					 nft_set_name(v[m].set), v[keep].owner);
		}
		over = nat_overlapped(v, k, &v[keep]);
		if (over) {
			log_warn("%s and %s want overlapping elements of %s; %s keeps "
				 "its own",
				 over->owner, v[keep].owner, nft_set_name(v[keep].set),
				 over->owner);
			continue;
		}
		v[k++] = v[keep];
	}
	want->n = k;
}

/*
 * What one transaction adds to bring the table to @all: the missing
 * elements; or, for a table of another layout, every element, and the
 * old table's localnet (which has no records: the guard of a bridge whose
 * route_localnet is on, kept without a gap).
 */
static int nat_sync_want(const struct nat_elems *all, const struct nat_elems *have,
			 int replace, struct nat_elems *want)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < all->n; i++)
		ret = nat_elems_add(&all->v[i], want);
	for (i = 0; ret == 0 && replace && i < have->n; i++) {
		if (have->v[i].set == NFT_LOCALNET)
			ret = nat_elems_add(&have->v[i], want);
	}
	if (ret < 0)
		return ret;
	nat_drop_twins(want, have);
	if (!replace)
		nat_drop_present(want, have);
	if (want->n)
		qsort(want->v, want->n, sizeof(*want->v), nat_elem_cmp);
	return 0;
}

/**
 * nat_table_sync() - bring plumb's table to what the records ask for, in
 * one transaction
 * @nat:	the handle
 * @all:	the elements the records ask for (nat_wanted_load())
 * @upgrade_only: leave a table of this plumb's layout, or none, as it is
 * @done:	what the table had and what was added
 *
 * Against the generation it read, until no other writer gets in between:
 * without a table, the table is made with @all; to a table of this plumb's
 * layout, what it lacks of @all is added; a table of another layout is
 * deleted and made again with all of @all in the same transaction, so that
 * no packet sees a table half-made, or none, and the user is told.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_table_sync(struct nat *nat, const struct nat_elems *all, int upgrade_only,
		   struct nat_sync *done)
{
	struct nat_elems have = { 0 }, want = { 0 };
	struct nft_txn txn;
	uint32_t genid;
	int attempt, replace = 0, committed = 0, ret = 0;

	for (attempt = 0; attempt < 32; attempt++) {
		free(have.v);
		free(want.v);
		have = want = (struct nat_elems){ 0 };
		committed = 0;
		ret = nft_gen_get(&nat->nl, &genid);
		done->layout = ret == 0 ? nft_table_layout(&nat->nl) : ret;
		if (done->layout < 0) {
			ret = done->layout;
			break;
		}
		replace = done->layout && done->layout != NFT_LAYOUT;
		if (upgrade_only && !replace)
			break;
		ret = done->layout ? nat_have(nat, &have) : 0;
		if (ret == 0)
			ret = nat_sync_want(all, &have, replace, &want);
		if (ret < 0 || (!want.n && !replace))
			break;
		txn = (struct nft_txn){ .create = !done->layout,
					.replace = replace,
					.add = want.v,
					.n_add = want.n };
		ret = nft_commit(&nat->nl, genid, &txn);
		committed = 1;
		if (ret != -ERESTART && ret != -EEXIST)
			break;
	}
	done->added = ret == 0 ? want.n : 0;
	free(have.v);
	free(want.v);
	if (ret < 0 && committed) /* the rest said why already */
		return nl_err(&nat->nl, ret, "reconcile table inet " NFT_TABLE);
	if (ret == 0 && replace)
		log_notice("table inet " NFT_TABLE " had the layout of another "
			   "plumb-nat (%d, this one's is %d); made it again from "
			   "plumb's records, with %zu elements",
			   done->layout, NFT_LAYOUT, done->added);
	return ret;
}

/**
 * nat_table_upgrade() - make a table of another plumb-nat's layout again,
 * from the records, once per handle
 * @nat:	the handle
 * @mine:	elements the caller is about to add, with its own checks:
 *		they are left out, whether recorded already or not
 * @n_mine:	how many
 *
 * An earlier plumb-nat's table lacks sets and rules that this one's
 * elements need (adding to it fails, or works without the rules that use
 * them): the first change through a handle looks at the layout, one
 * lookup, and makes such a table again, in one transaction
 * (nat_table_sync()).
 *
 * Return: 0 or negative errno (logged).
 */
int nat_table_upgrade(struct nat *nat, const struct nft_elem *mine, size_t n_mine)
{
	struct nat_sync done = { 0 };
	struct nat_wanted *w;
	size_t i, k, m;
	int ret;

	if (nat->layout_seen)
		return 0;
	ret = nft_table_layout(&nat->nl);
	if (ret >= 0 && (!ret || ret == NFT_LAYOUT)) {
		nat->layout_seen = 1;
		return 0;
	}
	w = ret < 0 ? NULL : nat_wanted_load(nat->state_dir, &ret);
	for (i = 0, k = 0; w && i < w->all.n; i++) {
		for (m = 0; m < n_mine && nat_want_cmp(&w->all.v[i], &mine[m]); m++)
			;
		if (m == n_mine)
			w->all.v[k++] = w->all.v[i];
	}
	if (w) {
		w->all.n = k;
		ret = nat_table_sync(nat, &w->all, 1, &done);
	}
	nat_wanted_free(w);
	if (ret < 0)
		return ret;
	nat->layout_seen = 1;
	return 0;
}
