/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft: plumb's nftables table, its fixed rules, and the elements of its sets and maps. */
#ifndef PLUMB_NFT_H
#define PLUMB_NFT_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <plumb/nl.h>

#define NFT_TABLE "plumb"
#define NFT_OWNER_MAX 127 /* element comments hold 128 bytes with the NUL */

/*
 * The layout of the table: its sets, chains and rules (lib/nft_rules.c),
 * kept in the table's comment. Bump it with every change to what
 * nft_rules_build() makes: a table of another layout is made again from
 * plumb's records (nat_reconcile()). Tables of plumb before the number
 * was kept are layout 1.
 */
#define NFT_LAYOUT 2

/* The sets and maps of the table: everything that varies lives in them. */
enum nft_set_id {
	NFT_MASQ4, /* container subnets: masquerade when leaving them */
	NFT_MASQ6,
	NFT_PUB4, /* proto . port : address . port, any host address */
	NFT_PUB6,
	NFT_PUBADDR4, /* host address . proto . port : address . port */
	NFT_PUBADDR6,
	NFT_PUBLOCAL4, /* proto . port : address . port, through 127.0.0.1 */
	NFT_NOMASQ4, /* subnet . destination: never masqueraded; a network's peers */
	NFT_NOMASQ6,
	NFT_LOCALNET, /* bridges with route_localnet on: the guard's */
	NFT_SAMEBR, /* bridge . bridge: within one of plumb's networks */
	NFT_ISOLATED, /* bridges of networks isolated from the others */
	NFT_GUARDED, /* bridges of networks that refuse direct access */
	NFT_HAIRPIN4, /* subnets whose DNATed traffic is masqueraded */
	NFT_HAIRPIN6,
	NFT_SET_COUNT,
};

/**
 * struct nft_elem - one element of a set or map
 * @set:	which
 * @key:	the key as the kernel stores it (registers are 4-byte aligned)
 * @key_end:	for an interval set, the first key past the interval;
 *		@has_end 0 when the interval runs to the end of the key space.
 *		For a set of concatenated ranges (nft_set_concat()), the last
 *		key of the element, which holds both ends, and @has_end is 1
 * @has_end:	@key_end is set
 * @is_end:	in a listing, this element ends an interval (its key is
 *		the first past it)
 * @data:	for a map, the value
 * @owner:	who added it, kept in the element's comment; "" when unknown
 * @counted:	in a listing, the element has a counter (nft_rules.c)
 * @packets:	its packets: the connections that matched it
 */
struct nft_elem {
	enum nft_set_id set;
	uint8_t key[32];
	uint8_t key_end[32];
	int has_end;
	int is_end;
	uint8_t data[20];
	char owner[NFT_OWNER_MAX + 1];
	int counted;
	uint64_t packets;
};

/**
 * struct nft_txn - one transaction: elements to add and to delete
 * @create:	create the table, its chains, rules and sets first
 * @replace:	delete the table there first, then create it (a table of
 *		another layout, made again in one transaction)
 * @add:	elements to add; an existing key fails the whole transaction
 * @n_add:	how many
 * @del:	elements to delete (by key)
 * @n_del:	how many
 */
struct nft_txn {
	int create;
	int replace;
	const struct nft_elem *add;
	size_t n_add;
	const struct nft_elem *del;
	size_t n_del;
};

const char *nft_set_name(enum nft_set_id set);
size_t nft_key_len(enum nft_set_id set);
size_t nft_data_len(enum nft_set_id set);
int nft_set_concat(enum nft_set_id set);

int nft_open(struct nl_sock *nl, int netns_fd);
int nft_gen_get(struct nl_sock *nl, uint32_t *genid);
int nft_table_exists(struct nl_sock *nl);
int nft_table_layout(struct nl_sock *nl);
int nft_table_del(struct nl_sock *nl);
int nft_table_del_unused(struct nl_sock *nl);
int nft_commit(struct nl_sock *nl, uint32_t genid, const struct nft_txn *txn);
int nft_elem_get(struct nl_sock *nl, struct nft_elem *e);
int nft_elem_for_each(struct nl_sock *nl, enum nft_set_id set,
		      int (*fn)(const struct nft_elem *e, void *arg), void *arg);

#endif
