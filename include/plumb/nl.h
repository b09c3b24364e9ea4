/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nl: a libmnl socket with its own sequence numbers, batched requests, every one acked. */
#ifndef PLUMB_NL_H
#define PLUMB_NL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define NL_EXT_ACK_MAX 256
/*
 * Buffers live on the stack, whose pages a hardened build touches all of
 * (-fstack-clash-protection probes each one): they are no larger than they
 * need to be. Our largest request (a veth with its peer) takes 160 bytes;
 * the kernel sizes a dump's replies to the reader's buffer.
 */
#define NL_MSG_MAX 512 /* room for one request of ours */
#define NL_BATCH_MSGS 32 /* requests an nl_batch holds without allocating */
#define NL_SEND_MSGS 64 /* requests in one sendmsg(): their acks fit the socket */
#define NL_RECV_SIZE 16384 /* one datagram of replies */

/**
 * struct nl_sock - a netlink socket bound to one network namespace
 * @mnl:	the libmnl socket
 * @portid:	our port id, checked on every reply
 * @seq:	last sequence number used
 * @ext_ack:	the kernel's extended ACK message of the last failed request
 */
struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	char ext_ack[NL_EXT_ACK_MAX];
};

/**
 * struct nl_batch - requests built back to back, sent with few sendmsg()
 * @len:	bytes taken by the requests finished so far
 * @count:	number of requests, the one being built included
 * @last:	the request being built
 * @buf:	the requests: @small, or memory of its own once the batch
 *		outgrows it (freed by nl_batch_talk() or nl_batch_free())
 * @size:	bytes at @buf
 * @err:	-ENOMEM once growing failed: the batch is then never sent
 * @failed:	after nl_batch_talk() failed: index of the first request the
 *		kernel refused, or -1 when none was (a local error)
 * @small:	room for NL_BATCH_MSGS requests, enough for most batches
 */
struct nl_batch {
	size_t len;
	unsigned int count;
	struct nlmsghdr *last;
	char *buf;
	size_t size;
	int err;
	int failed;
	char small[NL_BATCH_MSGS * NL_MSG_MAX] __attribute__((aligned(8)));
};

/**
 * struct nl_wait - answers still expected for a batch
 * @nl:		the socket, whose @ext_ack receives the first error's text
 * @seq_first:	sequence number of the first request
 * @seq_last:	sequence number of the last request
 * @pending:	requests not answered yet by an ACK, an error or NLMSG_DONE
 * @err:	first error answered (negative errno), or 0
 * @err_seq:	sequence number of the request @err answers
 * @cb:		called for every data message answering one of the requests
 * @data:	passed to @cb
 */
struct nl_wait {
	struct nl_sock *nl;
	uint32_t seq_first;
	uint32_t seq_last;
	unsigned int pending;
	int err;
	uint32_t err_seq;
	mnl_cb_t cb;
	void *data;
};

int nl_open(struct nl_sock *nl, int bus);
int nl_open_netns(struct nl_sock *nl, int bus, int netns_fd);
void nl_close(struct nl_sock *nl);
int nl_subscribe(struct nl_sock *nl, unsigned int group);

void nl_batch_init(struct nl_batch *b);
void nl_batch_free(struct nl_batch *b);
struct nlmsghdr *nl_batch_add(struct nl_sock *nl, struct nl_batch *b, uint16_t type,
			      uint16_t flags);
size_t nl_batch_size(const struct nl_batch *b);
int nl_batch_talk(struct nl_sock *nl, struct nl_batch *b, mnl_cb_t cb, void *data);

int nl_request(struct nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int nl_send_wait(struct nl_sock *nl, const void *buf, size_t len, mnl_cb_t cb,
		 void *data);
int nl_send_batch(struct nl_sock *nl, const void *buf, size_t len, mnl_cb_t cb,
		  void *data);
int nl_wait_start(struct nl_wait *w, struct nl_sock *nl, const void *buf, size_t len,
		  mnl_cb_t cb, void *data);
int nl_wait_feed(struct nl_wait *w, const void *buf, size_t len);

int nl_err(const struct nl_sock *nl, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
