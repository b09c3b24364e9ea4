// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nl: netlink requests over libmnl.
 *
 * Theory of operation: every request carries NLM_F_ACK, so the kernel
 * answers each one exactly once, with an ACK, an error or (for a dump)
 * NLMSG_DONE. Requests are built back to back in a buffer (struct nl_batch)
 * and sent with one sendmsg(); nl_wait then reads replies until every request
 * that asked for an answer has one. A reply whose sequence number is not one
 * of ours (left over from an exchange that stopped early) is skipped, so an
 * error never leaves the socket out of step.
 *
 * The kernel's extended ACK (NETLINK_EXT_ACK) explains most errors in a
 * sentence; it is kept in the socket so that the message the user sees can say
 * why, as iproute2 does.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>

#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/nl.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static int nl_adopt(struct nl_sock *nl, int fd)
{
	static const int one = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));

	/*
	 * Best effort: without these the requests still work, the messages are
	 * only less precise (EXT_ACK), the acks longer (CAP_ACK), or dumps
	 * less strictly filtered (GET_STRICT_CHK).
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));

	nl->mnl = mnl_socket_fdopen(fd);
	if (!nl->mnl) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (mnl_socket_bind(nl->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		nl_close(nl);
		return ret;
	}
	nl->portid = mnl_socket_get_portid(nl->mnl);
	return 0;
}

/**
 * nl_open() - open a netlink socket in the caller's network namespace
 * @nl:		the socket to fill
 * @bus:	NETLINK_ROUTE, NETLINK_NETFILTER...
 *
 * Return: 0 or negative errno (not logged).
 */
int nl_open(struct nl_sock *nl, int bus)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, bus);

	if (fd < 0)
		return -errno;
	return nl_adopt(nl, fd);
}

struct nl_socket_call {
	int bus;
	int fd;
};

static int nl_socket_in_netns(void *arg)
{
	struct nl_socket_call *c = arg;

	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, c->bus);
	return c->fd < 0 ? -errno : 0;
}

/**
 * nl_open_netns() - open a netlink socket that works inside another namespace
 * @nl:		the socket to fill
 * @bus:	NETLINK_ROUTE, NETLINK_NETFILTER...
 * @netns_fd:	the network namespace, or -1 for the caller's own
 *
 * A netlink socket belongs to the namespace it was created in, wherever it
 * is used later: it is made inside @netns_fd (see netns_run_try()).
 *
 * Return: 0 or negative errno (not logged: the caller says which socket,
 * for what).
 */
int nl_open_netns(struct nl_sock *nl, int bus, int netns_fd)
{
	struct nl_socket_call c = { .bus = bus, .fd = -1 };
	int ret;

	if (netns_fd < 0)
		return nl_open(nl, bus);
	ret = netns_run_try(netns_fd, nl_socket_in_netns, &c, NULL);
	if (ret < 0)
		return ret;
	return nl_adopt(nl, c.fd);
}

/**
 * nl_subscribe() - hear a multicast group's notifications on a socket
 * @nl:		the socket
 * @group:	RTNLGRP_LINK...
 *
 * Return: 0 or negative errno.
 */
int nl_subscribe(struct nl_sock *nl, unsigned int group)
{
	if (setsockopt(mnl_socket_get_fd(nl->mnl), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &group, sizeof(group)) < 0)
		return -errno;
	return 0;
}

/**
 * nl_close() - close a socket opened by nl_open() or nl_open_netns()
 * @nl:		the socket; closing a zeroed or closed socket does nothing
 */
void nl_close(struct nl_sock *nl)
{
	if (nl->mnl)
		mnl_socket_close(nl->mnl);
	nl->mnl = NULL;
}

/**
 * nl_batch_init() - empty a batch
 * @b:		the batch; one that grew must have been sent or freed first
 */
void nl_batch_init(struct nl_batch *b)
{
	b->len = 0;
	b->count = 0;
	b->last = NULL;
	b->buf = b->small;
	b->size = sizeof(b->small);
	b->err = 0;
	b->failed = -1;
}

/**
 * nl_batch_free() - free what a batch allocated, and empty it
 * @b:		the batch
 */
void nl_batch_free(struct nl_batch *b)
{
	if (b->buf != b->small)
		free(b->buf);
	nl_batch_init(b);
}

/* Double the room of a batch; the requests keep their place in it. */
static int nl_batch_grow(struct nl_batch *b)
{
	size_t last = b->last ? (size_t)((char *)b->last - b->buf) : 0;
	char *buf;

	if (b->buf == b->small) {
		buf = malloc(2 * b->size);
		if (buf)
			memcpy(buf, b->small, b->len);
	} else {
		buf = realloc(b->buf, 2 * b->size);
	}
	if (!buf)
		return -ENOMEM;
	b->buf = buf;
	b->size *= 2;
	if (b->last)
		b->last = (struct nlmsghdr *)(buf + last);
	return 0;
}

/**
 * nl_batch_add() - start the next request of a batch
 * @nl:		the socket that will send it (it numbers the request)
 * @b:		the batch
 * @type:	message type, e.g. RTM_NEWLINK
 * @flags:	NLM_F_CREATE, NLM_F_EXCL, NLM_F_DUMP...; NLM_F_REQUEST and
 *		NLM_F_ACK are always added
 *
 * The request is finished by the next nl_batch_add() or by sending. Its
 * attributes must fit in NL_MSG_MAX bytes: our requests are small and built
 * by our code, so this is checked by assertion, not at run time. A batch
 * holds NL_BATCH_MSGS requests in place and grows on the heap past that;
 * when it cannot grow, the new request is built over the previous one and
 * the batch remembers -ENOMEM, which nl_batch_talk() returns unsent.
 *
 * Return: the header, followed by room for the family header and attributes.
 */
struct nlmsghdr *nl_batch_add(struct nl_sock *nl, struct nl_batch *b, uint16_t type,
			      uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (b->last) {
		assert(b->last->nlmsg_len <= NL_MSG_MAX);
		b->len += MNL_ALIGN(b->last->nlmsg_len);
	}
	if (b->len + NL_MSG_MAX > b->size && !b->err && nl_batch_grow(b) < 0)
		b->err = -ENOMEM;
	if (b->len + NL_MSG_MAX > b->size) {
		b->len = (size_t)((char *)b->last - b->buf); /* over the last one */
		b->count--;
	}
	/* libmnl (1.0.4) leaves attribute padding as it finds it: zero it all. */
	memset(b->buf + b->len, 0, NL_MSG_MAX);
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	b->last = nlh;
	b->count++;
	return nlh;
}

/**
 * nl_batch_size() - bytes of a batch, the request being built included
 * @b:		the batch
 */
size_t nl_batch_size(const struct nl_batch *b)
{
	assert(!b->last || b->last->nlmsg_len <= NL_MSG_MAX);
	return b->last ? b->len + MNL_ALIGN(b->last->nlmsg_len) : 0;
}

static int nl_exchange(struct nl_sock *nl, const void *buf, size_t len, mnl_cb_t cb,
		       void *data, int drain, int64_t *err_seq);

/* The bytes of the first @n requests at @p, at most @len of them. */
static size_t nl_msgs_span(const char *p, size_t len, unsigned int n)
{
	size_t off = 0;

	while (n-- && off < len)
		off += MNL_ALIGN(((const struct nlmsghdr *)(p + off))->nlmsg_len);
	return off < len ? off : len;
}

/**
 * nl_batch_talk() - send a batch, wait for every answer, empty the batch
 * @nl:		the socket
 * @b:		the requests
 * @cb:		called for each data message of the answers, or NULL
 * @data:	passed to @cb
 *
 * The requests go NL_SEND_MSGS to a sendmsg(), so that the kernel's
 * acknowledgements of one sendmsg() always fit in the socket's receive
 * buffer (an ack that does not is dropped, and its request would look
 * unanswered). The kernel goes on with the requests of a sendmsg() after
 * one fails; the next sendmsg() is not sent. @b->failed then says which
 * request failed, for the caller's message.
 *
 * Return: 0, or the first error the kernel answered (negative errno, its
 * extended ACK in @nl->ext_ack), or a local negative errno.
 */
int nl_batch_talk(struct nl_sock *nl, struct nl_batch *b, mnl_cb_t cb, void *data)
{
	size_t len = nl_batch_size(b), off = 0, step;
	uint32_t first = len ? ((struct nlmsghdr *)b->buf)->nlmsg_seq : 0;
	int64_t err_seq = -1;
	int ret = b->err;

	while (!ret && off < len) {
		step = nl_msgs_span(b->buf + off, len - off, NL_SEND_MSGS);
		ret = nl_exchange(nl, b->buf + off, step, cb, data, 0, &err_seq);
		off += step;
	}
	nl_batch_free(b);
	if (ret < 0 && err_seq >= 0)
		b->failed = (int)((uint32_t)err_seq - first);
	return ret;
}

/**
 * nl_request() - send one request built by the caller and wait for its answer
 * @nl:		the socket
 * @nlh:	the request; its sequence number and NLM_F_ACK are set here
 * @cb:		called for each data message of the answer, or NULL
 * @data:	passed to @cb
 *
 * Return: as nl_batch_talk().
 */
int nl_request(struct nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	return nl_exchange(nl, nlh, nlh->nlmsg_len, cb, data, 0, NULL);
}

/* Make room in the send buffer for a large batch (root may force it). */
static void nl_sndbuf_fit(struct nl_sock *nl, size_t len)
{
	int fd = mnl_socket_get_fd(nl->mnl), size = 0;
	socklen_t optlen = sizeof(size);

	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &optlen) == 0 &&
	    (size_t)size / 2 > len + 4096)
		return;
	size = (int)(len + 65536);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/*
 * One datagram from the kernel; a reply cut to fit the buffer is an error
 * (ENOSPC, as mnl_socket_recvfrom() says it). @nowait: none queued is EAGAIN.
 */
static ssize_t nl_recv(struct nl_sock *nl, void *buf, size_t size, int nowait)
{
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { .msg_name = &addr,
			      .msg_namelen = sizeof(addr),
			      .msg_iov = &iov,
			      .msg_iovlen = 1 };
	ssize_t n;

	if (!nowait)
		return mnl_socket_recvfrom(nl->mnl, buf, size);
	n = recvmsg(mnl_socket_get_fd(nl->mnl), &msg, MSG_DONTWAIT);
	if (n >= 0 && (msg.msg_flags & MSG_TRUNC)) {
		errno = ENOSPC;
		return -1;
	}
	return n;
}

/*
 * Send, then read answers: until every request is answered, or, with
 * @drain, until none is left queued (without waiting for more).
 */
static int nl_exchange(struct nl_sock *nl, const void *buf, size_t len, mnl_cb_t cb,
		       void *data, int drain, int64_t *err_seq)
{
	char reply[NL_RECV_SIZE] __attribute__((aligned(8)));
	struct nl_wait w;
	ssize_t n;
	int ret;

	ret = nl_wait_start(&w, nl, buf, len, cb, data);
	if (ret < 0)
		return ret;
	if (drain)
		nl_sndbuf_fit(nl, len);
	if (mnl_socket_sendto(nl->mnl, buf, len) < 0)
		return -errno;
	while (drain || w.pending) {
		n = nl_recv(nl, reply, sizeof(reply), drain);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && drain && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -errno;
		ret = nl_wait_feed(&w, reply, (size_t)n);
		if (ret < 0)
			return ret;
	}
	if (err_seq && w.err)
		*err_seq = w.err_seq; /* the kernel refused that one */
	return w.err;
}

/**
 * nl_send_wait() - send requests laid out back to back and wait for them
 * @nl:		the socket
 * @buf:	the requests, each with its sequence number
 * @len:	their total length
 * @cb:		called for each data message answering them, or NULL
 * @data:	passed to @cb
 *
 * Return: as nl_batch_talk().
 */
int nl_send_wait(struct nl_sock *nl, const void *buf, size_t len, mnl_cb_t cb, void *data)
{
	return nl_exchange(nl, buf, len, cb, data, 0, NULL);
}

/**
 * nl_send_batch() - send a transaction and read every answer the kernel gave
 * @nl:		the socket (NETLINK_NETFILTER)
 * @buf:	the batch: a begin marker, requests, an end marker
 * @len:	its length, which may be large: the send buffer grows to fit
 * @cb:		called for each data message of the answers, or NULL
 * @data:	passed to @cb
 *
 * nfnetlink runs a batch while sendmsg() runs, so every answer is queued
 * when it returns; they are read until none is left rather than counted,
 * as an aborted transaction does not answer each request.
 *
 * Return: 0, or the first error the kernel answered (-ERESTART when the
 * ruleset generation changed since the one the batch was built against), or
 * a local negative errno.
 */
int nl_send_batch(struct nl_sock *nl, const void *buf, size_t len, mnl_cb_t cb,
		  void *data)
{
	return nl_exchange(nl, buf, len, cb, data, 1, NULL);
}

/*
 * Does every message of @buf end within it? libmnl compares a message's
 * length to what is left as an int: a length of 2 GiB or more passes
 * mnl_nlmsg_ok(), callbacks then read past the buffer and mnl_nlmsg_next()
 * may stand still (MNL_ALIGN() wraps to 0), looping for ever. So lengths are
 * checked here, unsigned, before libmnl walks the messages. Bytes too few
 * for a header at the end are ignored, as libmnl does.
 */
static int nl_msgs_whole(const void *buf, size_t len)
{
	const char *p = buf;
	size_t step;

	while (len >= sizeof(struct nlmsghdr)) {
		step = ((const struct nlmsghdr *)p)->nlmsg_len;
		if (step < sizeof(struct nlmsghdr) || step > len)
			return 0;
		step = MNL_ALIGN(step) < len ? MNL_ALIGN(step) : len;
		p += step;
		len -= step;
	}
	return 1;
}

/**
 * nl_wait_start() - prepare to collect the answers to requests
 * @w:		the state to fill
 * @nl:		the socket they are sent on
 * @buf:	the requests, back to back
 * @len:	their total length
 * @cb:		called for each data message answering them, or NULL
 * @data:	passed to @cb
 *
 * A request asks for an answer when it carries NLM_F_ACK or is a dump.
 * Requests without (the begin and end markers of an nftables batch) are still
 * ours: an error about one of them means the kernel refused the whole batch.
 *
 * Return: 0, or -EINVAL if @buf does not hold whole netlink messages.
 */
int nl_wait_start(struct nl_wait *w, struct nl_sock *nl, const void *buf, size_t len,
		  mnl_cb_t cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	*w = (struct nl_wait){ .nl = nl, .cb = cb, .data = data };
	nl->ext_ack[0] = '\0';
	if (!mnl_nlmsg_ok(nlh, left) || !nl_msgs_whole(buf, len))
		return -EINVAL;
	w->seq_first = nlh->nlmsg_seq;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		w->seq_last = nlh->nlmsg_seq;
		if (nlh->nlmsg_flags & NLM_F_ACK ||
		    (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
			w->pending++;
	}
	return left ? -EINVAL : 0;
}

static int nl_seq_ours(const struct nl_wait *w, uint32_t seq)
{
	/* Unsigned arithmetic keeps this right across wrap-around. */
	return seq - w->seq_first <= w->seq_last - w->seq_first;
}

static void nl_ext_ack_parse(const struct nlmsghdr *nlh, size_t offset, char *out,
			     size_t size)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG ||
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			continue;
		snprintf(out, size, "%s", mnl_attr_get_str(attr));
		return;
	}
}

/* Count one answer; stop the receive loop when none is pending. */
static int nl_wait_answered(struct nl_wait *w)
{
	if (w->pending)
		w->pending--;
	return w->pending ? MNL_CB_OK : MNL_CB_STOP;
}

static void nl_wait_fail(struct nl_wait *w, int err, const struct nlmsghdr *nlh,
			 size_t tlv_offset)
{
	if (w->err)
		return;
	/* The kernel answers -errno (to -MAX_ERRNO): anything else is malformed. */
	if (err < -4095 || err > 4095)
		err = -EPROTO;
	w->err = err > 0 ? -err : err;
	w->err_seq = nlh->nlmsg_seq;
	nl_ext_ack_parse(nlh, tlv_offset, w->nl->ext_ack, sizeof(w->nl->ext_ack));
}

static int nl_wait_on_error(const struct nlmsghdr *nlh, void *data)
{
	struct nl_wait *w = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*e);

	if (!nl_seq_ours(w, nlh->nlmsg_seq))
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return nl_wait_answered(w);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nl_wait_fail(w, e->error, nlh, offset);

	/* An error about a request that asked for no answer: the batch ended. */
	if (!(e->msg.nlmsg_flags & NLM_F_ACK) &&
	    (e->msg.nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP) {
		w->pending = 0;
		return MNL_CB_STOP;
	}
	return nl_wait_answered(w);
}

static int nl_wait_on_done(const struct nlmsghdr *nlh, void *data)
{
	struct nl_wait *w = data;

	if (!nl_seq_ours(w, nlh->nlmsg_seq))
		return MNL_CB_OK;
	/* A dump that failed midway says so in NLMSG_DONE. */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (err)
			nl_wait_fail(w, err, nlh, sizeof(int));
	}
	return nl_wait_answered(w);
}

static int nl_wait_on_data(const struct nlmsghdr *nlh, void *data)
{
	struct nl_wait *w = data;

	if (!nl_seq_ours(w, nlh->nlmsg_seq))
		return MNL_CB_OK;
	/*
	 * The kernel's tables changed while it dumped them: what came is not one
	 * picture. The dump is still read to its end, else what is left of it
	 * would answer the socket's next request.
	 */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR && !w->err)
		w->err = -EINTR;
	if (!w->cb || w->err)
		return MNL_CB_OK;
	/*
	 * A callback that fails stops being called, but the answers are still
	 * read to the end so that the socket stays in step.
	 */
	errno = 0;
	if (w->cb(nlh, w->data) == MNL_CB_ERROR)
		w->err = errno ? -errno : -EPROTO;
	return MNL_CB_OK;
}

/**
 * nl_wait_feed() - account for one datagram of replies
 * @w:		the state from nl_wait_start()
 * @buf:	what recv() returned
 * @len:	its length
 *
 * The messages are walked here rather than by mnl_cb_run2(), which stops at
 * the first message of an interrupted dump (NLM_F_DUMP_INTR) and so leaves the
 * rest of that dump queued for the next request to trip over.
 *
 * Return: 1 while answers are pending, 0 when all came (@w->err then says
 * whether the kernel refused one, -EINTR for a dump it interrupted), negative
 * errno when the datagram is malformed (-EBADMSG: a message runs past its
 * end) or not for us (-ESRCH).
 */
int nl_wait_feed(struct nl_wait *w, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len, ret = MNL_CB_OK;

	if (!nl_msgs_whole(buf, len))
		return -EBADMSG;
	for (; ret == MNL_CB_OK && mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (!mnl_nlmsg_portid_ok(nlh, w->nl->portid))
			return -ESRCH;
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			ret = nl_wait_on_data(nlh, w);
		else if (nlh->nlmsg_type == NLMSG_ERROR)
			ret = nl_wait_on_error(nlh, w);
		else if (nlh->nlmsg_type == NLMSG_DONE)
			ret = nl_wait_on_done(nlh, w);
		/* NLMSG_NOOP and NLMSG_OVERRUN carry nothing to account for. */
	}
	if (ret == MNL_CB_ERROR)
		return -errno;
	return w->pending ? 1 : 0;
}

/**
 * nl_err() - log a failed request with the kernel's explanation
 * @nl:		the socket whose last error this is
 * @err:	the negative errno
 * @fmt:	what was being done, to what
 *
 * Return: @err
 */
int nl_err(const struct nl_sock *nl, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verr(err, nl->ext_ack, fmt, ap);
	va_end(ap);
	return err;
}
