// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_elems: elements of plumb's table gathered in memory, and the
 * masqueraded subnets read back from the intervals of masq4 and masq6; for
 * listing, reconciling and the messages that name a subnet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/nat.h>

#include "nat_txn.h"

/**
 * nat_elems_add() - append a copy of an element, as nft_elem_for_each()'s
 * function
 * @e:		the element
 * @arg:	the struct nat_elems
 *
 * Return: 0 or -ENOMEM.
 */
int nat_elems_add(const struct nft_elem *e, void *arg)
{
	struct nat_elems *w = arg;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct nft_elem *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = *e;
	return 0;
}

/**
 * nat_elem_cmp() - the order of elements for qsort(): by set, starts before
 * ends, then by key (both ends, for concatenated ranges)
 * @a:		a struct nft_elem
 * @b:		another
 *
 * Return: negative, 0 or positive.
 */
int nat_elem_cmp(const void *a, const void *b)
{
	const struct nft_elem *x = a, *y = b;
	int d;

	if (x->set != y->set)
		return x->set < y->set ? -1 : 1;
	if (x->is_end != y->is_end)
		return x->is_end < y->is_end ? -1 : 1;
	d = memcmp(x->key, y->key, nft_key_len(x->set));
	if (d || !nft_set_concat(x->set))
		return d;
	return memcmp(x->key_end, y->key_end, nft_key_len(x->set)); /* both ends */
}

/**
 * nat_interval_len() - the prefix length of an interval of masq4 or masq6
 * @start:	its first address
 * @end:	the address past its last one
 * @open:	it has no end: it runs to the end of the address space
 *
 * The longest length whose last address + 1 is @end. Shorter ones can end
 * there too when @start has bits set below them (10.99.0.0/16 ends where
 * 10.99.0.0/14 would).
 *
 * Return: the length.
 */
unsigned int nat_interval_len(const struct inet_addr *start, const uint8_t *end, int open)
{
	struct inet_prefix p = { .addr = *start };
	struct inet_addr last;

	for (p.len = inet_addr_bits(start) + 1; p.len-- > 0;) {
		inet_prefix_last(&p, &last);
		inet_addr_add(&last, 1);
		if (open ? inet_addr_cmp(&last, start) < 0 :
			   !memcmp(last.b, end, inet_addr_bytes(start)))
			return p.len;
	}
	return inet_addr_bits(start);
}

/**
 * nat_masq_for_each() - call a function for every masqueraded subnet
 * @nat:	the handle
 * @set:	NFT_MASQ4 or NFT_MASQ6
 * @fn:		called with the subnet and its start element (owner, counter);
 *		a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Interval sets list starts and ends apart. Sorted, the starts come first,
 * then the ends, each in order; the intervals do not overlap, so the i-th
 * start goes with the i-th end. Only the last interval can lack its end:
 * it runs to the end of the address space.
 *
 * Return: 0, what @fn returned when negative, -ENOMEM (not logged), or
 * another negative errno (logged).
 */
int nat_masq_for_each(struct nat *nat, enum nft_set_id set,
		      int (*fn)(const struct inet_prefix *subnet,
				const struct nft_elem *e, void *arg),
		      void *arg)
{
	struct nat_elems w = { 0 };
	struct inet_prefix p = { .addr.family = set == NFT_MASQ6 ? AF_INET6 : AF_INET };
	size_t i, n_start, len = nft_key_len(set);
	int ret;

	ret = nft_elem_for_each(&nat->nl, set, nat_elems_add, &w);
	if (ret == 0 && w.n) /* qsort() of NULL is undefined, even for 0 */
		qsort(w.v, w.n, sizeof(*w.v), nat_elem_cmp);
	for (n_start = 0; n_start < w.n && !w.v[n_start].is_end; n_start++)
		;
	for (i = 0; ret == 0 && i < n_start; i++) {
		memcpy(p.addr.b, w.v[i].key, len);
		p.len = nat_interval_len(&p.addr,
					 n_start + i < w.n ? w.v[n_start + i].key : NULL,
					 n_start + i >= w.n);
		ret = fn(&p, &w.v[i], arg);
	}
	free(w.v);
	return ret;
}
