/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nat_txn: what lib/nat*.c share; private to lib/. */
#ifndef PLUMB_NAT_TXN_H
#define PLUMB_NAT_TXN_H

#include <stddef.h>
#include <stdint.h>

#include <plumb/json.h>
#include <plumb/nat.h>
#include <plumb/nft.h>

#define NAT_KIND "nat" /* records under <state>/nat/<owner>/ */
#define NAT_NAME_MAX 96 /* the longest record name */

void nat_elem_what(const struct nft_elem *e, char *buf, size_t size);
int nat_elem_check(struct nat *nat, const struct nft_elem *e);
int nat_apply(struct nat *nat, struct nft_elem *e, size_t n, struct nft_elem *old,
	      size_t n_old, int cross);
int nat_apply_add(struct nat *nat, struct nft_elem *e, size_t n, int cross);
int nat_apply_del(struct nat *nat, struct nft_elem *e, size_t n, const char *owner);
int nat_record_intent(struct nat *nat, const char *owner, const char *name, json_t *rec);
int nat_record_write(struct nat *nat, const char *owner, const char *name,
		     const json_t *rec);
void nat_record_del(struct nat *nat, const char *owner, const char *name);
int nat_pub_del(struct nat *nat, const struct nat_pub *p, const char *owner);

/* nat_elems.c: elements gathered in memory */
/**
 * struct nat_elems - elements gathered in memory
 * @v:		the elements
 * @n:		how many
 * @cap:	room at @v
 */
struct nat_elems {
	struct nft_elem *v;
	size_t n;
	size_t cap;
};

int nat_elems_add(const struct nft_elem *e, void *arg);
int nat_elem_cmp(const void *a, const void *b);
unsigned int nat_interval_len(const struct inet_addr *start, const uint8_t *end,
			      int open);
int nat_masq_for_each(struct nat *nat, enum nft_set_id set,
		      int (*fn)(const struct inet_prefix *subnet,
				const struct nft_elem *e, void *arg),
		      void *arg);

/* nat_record.c: records read back into the elements they ask for */
#define NAT_NET_ELEMS 3 /* samebr, isolated, guarded */

/**
 * struct nat_wanted - what the records ask for
 * @all:	every element
 * @localhost:	mappings published on 127.0.0.1, to open again
 * @n_localhost: how many
 */
struct nat_wanted {
	struct nat_elems all;
	struct nat_pub localhost[64];
	size_t n_localhost;
};

void nat_net_elems(const char *bridge, const char *owner, struct nft_elem *out);
int nat_net_wants(const struct nat_net *n, size_t i);
int nat_net_from_json(const json_t *j, struct nat_net *n);
int nat_net_record_elems(const json_t *rec, const char *owner, struct nft_elem *out);
void nat_hairpin_elem(const struct inet_prefix *subnet, const char *owner,
		      struct nft_elem *e);
void nat_nomasq_elems(const struct inet_prefix *subnet, const struct inet_prefix *to,
		      size_t n, const char *owner, struct nft_elem *out);
int nat_ranges_meet(const uint8_t *a, const uint8_t *a_end, const uint8_t *b,
		    const uint8_t *b_end, size_t len);
int nat_nomasq_overlap(const struct nft_elem *a, const struct nft_elem *b);
int nat_nomasq_from_json(const json_t *rec, struct inet_prefix *subnet,
			 struct inet_prefix *to, size_t *n);
struct nat_wanted *nat_wanted_load(const char *state_dir, int *err);
void nat_wanted_free(struct nat_wanted *w);

/* nat_table.c: the table as a whole, brought to the records */

/**
 * struct nat_sync - how a nat_table_sync() went
 * @layout:	the layout the table had; 0 when there was none
 * @added:	elements added
 */
struct nat_sync {
	int layout;
	size_t added;
};

int nat_table_sync(struct nat *nat, const struct nat_elems *all, int upgrade_only,
		   struct nat_sync *done);
int nat_table_upgrade(struct nat *nat, const struct nft_elem *mine, size_t n_mine);

/* nat_net.c: the records of networks and hairpins, for release */
int nat_net_record_release(struct nat *nat, const json_t *rec, const char *owner,
			   const char *name);
int nat_net_lock(struct nat *nat, int create);

#endif
