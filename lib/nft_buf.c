// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_buf: a growing buffer of nfnetlink messages, in which lib/nft.c builds
 * its transactions and lib/nft_rules.c the table's fixed rule set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nft_buf.h"

/**
 * nft_buf_room() - room for the next message of a batch
 * @b:		the batch
 *
 * Return: NFT_MSG_ROOM bytes to build a message in, or NULL (and @b->err set)
 * when out of memory.
 */
char *nft_buf_room(struct nft_buf *b)
{
	size_t cap;
	char *data;

	if (b->err)
		return NULL;
	if (b->len + NFT_MSG_ROOM > b->cap) {
		cap = b->cap ? 2 * b->cap : 4 * NFT_MSG_ROOM;
		while (b->len + NFT_MSG_ROOM > cap)
			cap *= 2;
		data = realloc(b->data, cap);
		if (!data) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->data = data;
		b->cap = cap;
	}
	/* libmnl (1.0.4) leaves attribute padding as it finds it: zero it all. */
	memset(b->data + b->len, 0, NFT_MSG_ROOM);
	return b->data + b->len;
}

/**
 * nft_buf_done() - take in the message built at nft_buf_room()
 * @b:		the batch
 * @nlh:	the message
 */
void nft_buf_done(struct nft_buf *b, const struct nlmsghdr *nlh)
{
	b->len += MNL_ALIGN(nlh->nlmsg_len);
}

/**
 * nft_buf_free() - free a batch's memory
 * @b:		the batch
 */
void nft_buf_free(struct nft_buf *b)
{
	free(b->data);
	*b = (struct nft_buf){ 0 };
}
