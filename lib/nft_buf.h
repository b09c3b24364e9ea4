/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft_buf: a growing buffer of nfnetlink messages, private to lib/nft*.c. */
#ifndef PLUMB_NFT_BUF_H
#define PLUMB_NFT_BUF_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/**
 * struct nft_buf - messages built back to back
 * @data:	the messages
 * @len:	bytes of the finished ones
 * @cap:	bytes allocated
 * @seq:	sequence number of the last message
 * @err:	-ENOMEM once an allocation failed; later messages go nowhere
 */
struct nft_buf {
	char *data;
	size_t len;
	size_t cap;
	uint32_t seq;
	int err;
};

#define NFT_MSG_ROOM 65536 /* the most one message of ours takes */
/* in the table's comment, before its layout: "...; layout 2" */
#define NFT_LAYOUT_WORD "; layout "

char *nft_buf_room(struct nft_buf *b);
void nft_buf_done(struct nft_buf *b, const struct nlmsghdr *nlh);
void nft_buf_free(struct nft_buf *b);
void nft_batch_begin(struct nft_buf *b, uint32_t genid);
void nft_batch_end(struct nft_buf *b);
int nft_rules_build(struct nft_buf *b);

#endif
