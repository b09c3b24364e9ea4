// SPDX-License-Identifier: GPL-2.0-or-later
/* test_nl: netlink batches and reply accounting of lib/nl.c, fed by hand, no kernel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <plumb/log.h>
#include <plumb/nl.h>

#define PORTID 4242u

/* Replies built back to back, as one datagram from the kernel. */
struct reply {
	size_t len;
	char buf[8192] __attribute__((aligned(8)));
};

static struct nlmsghdr *reply_put(struct reply *r, uint16_t type, uint16_t flags,
				  uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf + r->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	return nlh;
}

static void reply_end(struct reply *r, struct nlmsghdr *nlh)
{
	r->len += MNL_ALIGN(nlh->nlmsg_len);
}

/*
 * An NLMSG_ERROR answering request @seq, which carried @req_flags; capped
 * (only the request's header echoed), with @why as extended ACK if not NULL.
 */
static struct nlmsghdr *reply_err(struct reply *r, uint32_t seq, int error,
				  uint16_t req_flags, const char *why)
{
	struct nlmsghdr *nlh = reply_put(r, NLMSG_ERROR, NLM_F_CAPPED, seq);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr) + sizeof(struct ifinfomsg);
	e->msg.nlmsg_type = RTM_NEWLINK;
	e->msg.nlmsg_flags = req_flags;
	e->msg.nlmsg_seq = seq;
	e->msg.nlmsg_pid = PORTID;
	if (why) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, why);
	}
	reply_end(r, nlh);
	return nlh;
}

static void reply_ack(struct reply *r, uint32_t seq)
{
	reply_err(r, seq, 0, NLM_F_REQUEST | NLM_F_ACK, NULL);
}

static void reply_done(struct reply *r, uint32_t seq, int err, const char *why)
{
	struct nlmsghdr *nlh = reply_put(r, NLMSG_DONE, NLM_F_MULTI, seq);
	int *payload = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*payload = err;
	if (why) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, why);
	}
	reply_end(r, nlh);
}

static void reply_data(struct reply *r, uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh = reply_put(r, RTM_NEWLINK, NLM_F_MULTI, seq);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	reply_end(r, nlh);
}

/* What the data callback saw. */
struct seen {
	int calls;
	int last_index;
	int fail; /* return MNL_CB_ERROR with errno = fail */
};

static int record_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct seen *s = data;

	s->calls++;
	s->last_index = ifi->ifi_index;
	if (s->fail) {
		errno = s->fail;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int setup(void **state)
{
	(void)state;
	log_test_mute(1);
	return 0;
}

/* A batch of @n RTM_NEWLINK requests, numbered after @seq. */
static void batch_of(struct nl_sock *nl, struct nl_batch *b, unsigned int n, uint32_t seq)
{
	unsigned int i;

	memset(nl, 0, sizeof(*nl));
	nl->portid = PORTID;
	nl->seq = seq;
	nl_batch_init(b);
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = nl_batch_add(nl, b, RTM_NEWLINK, NLM_F_CREATE);

		mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	}
}

static void test_nl_batch_add_numbers_requests_after_socket_seq(void **state)
{
	struct nl_sock nl = { .portid = PORTID, .seq = 41 };
	static struct nl_batch b;
	struct nlmsghdr *a, *c;

	(void)state;
	nl_batch_init(&b);
	a = nl_batch_add(&nl, &b, RTM_NEWLINK, 0);
	c = nl_batch_add(&nl, &b, RTM_DELLINK, 0);
	assert_int_equal(a->nlmsg_seq, 42);
	assert_int_equal(c->nlmsg_seq, 43);
	assert_int_equal(nl.seq, 43);
	assert_int_equal(b.count, 2);
}

static void test_nl_batch_add_adds_request_and_ack_flags(void **state)
{
	struct nl_sock nl = { 0 };
	static struct nl_batch b;
	struct nlmsghdr *nlh;

	(void)state;
	nl_batch_init(&b);
	nlh = nl_batch_add(&nl, &b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(nlh->nlmsg_len, sizeof(struct nlmsghdr));
	assert_ptr_equal(nlh, b.buf);

	nlh = nl_batch_add(&nl, &b, RTM_GETLINK, 0);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
}

static void test_nl_batch_add_places_next_request_after_aligned_previous(void **state)
{
	struct nl_sock nl = { 0 };
	static struct nl_batch b;
	struct nlmsghdr *first, *second, *third;

	(void)state;
	nl_batch_init(&b);
	first = nl_batch_add(&nl, &b, RTM_NEWLINK, 0);
	mnl_nlmsg_put_extra_header(first, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(first, IFLA_IFNAME, "eth0"); /* 5 bytes of payload */
	assert_int_equal(first->nlmsg_len, 16 + 16 + 4 + 8);

	second = nl_batch_add(&nl, &b, RTM_NEWLINK, 0);
	assert_ptr_equal((char *)second, (char *)first + 44);

	/* A length that is not a multiple of 4 is rounded up, not overlapped. */
	second->nlmsg_len += 5;
	third = nl_batch_add(&nl, &b, RTM_NEWLINK, 0);
	assert_ptr_equal((char *)third, (char *)second + 24);
	assert_int_equal(((uintptr_t)third) % 4, 0);
	assert_int_equal(b.len, 44 + 24);
	assert_int_equal(nl_batch_size(&b), 44 + 24 + 16);
}

static void test_nl_batch_size_counts_request_being_built(void **state)
{
	struct nl_sock nl = { 0 };
	static struct nl_batch b;
	struct nlmsghdr *nlh;

	(void)state;
	nl_batch_init(&b);
	assert_int_equal(nl_batch_size(&b), 0);
	nlh = nl_batch_add(&nl, &b, RTM_NEWADDR, 0);
	assert_int_equal(nl_batch_size(&b), 16);
	mnl_nlmsg_put_extra_header(nlh, 8);
	assert_int_equal(nl_batch_size(&b), 24);
}

static void test_nl_batch_init_empties_batch(void **state)
{
	struct nl_sock nl = { 0 };
	static struct nl_batch b;
	struct nlmsghdr *nlh;

	(void)state;
	nl_batch_init(&b);
	nl_batch_add(&nl, &b, RTM_NEWLINK, 0);
	nl_batch_add(&nl, &b, RTM_NEWLINK, 0);
	nl_batch_init(&b);
	assert_int_equal(nl_batch_size(&b), 0);
	assert_int_equal(b.count, 0);
	nlh = nl_batch_add(&nl, &b, RTM_NEWLINK, 0);
	assert_ptr_equal(nlh, b.buf);
	assert_int_equal(nlh->nlmsg_seq, 3);
}

static void test_nl_wait_start_counts_requests_that_ask_for_answer(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	struct nlmsghdr *nlh;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 2, 0);
	/* An nftables batch marker: no ACK asked for. */
	nlh = nl_batch_add(&nl, &b, NLMSG_MIN_TYPE, 0);
	nlh->nlmsg_flags = NLM_F_REQUEST;
	/* A dump answers with NLMSG_DONE even without NLM_F_ACK. */
	nlh = nl_batch_add(&nl, &b, RTM_GETLINK, 0);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;

	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	assert_int_equal(w.pending, 3);
	assert_int_equal(w.seq_first, 1);
	assert_int_equal(w.seq_last, 4);
	assert_int_equal(w.err, 0);
	assert_ptr_equal(w.nl, &nl);
}

static void test_nl_wait_start_refuses_partial_messages(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	struct nl_wait w;
	size_t size;

	(void)state;
	batch_of(&nl, &b, 2, 0);
	size = nl_batch_size(&b);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, 0, NULL, NULL), -EINVAL);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, 8, NULL, NULL), -EINVAL);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, size - 4, NULL, NULL), -EINVAL);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, size + 8, NULL, NULL), -EINVAL);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, size, NULL, NULL), 0);
}

static void test_nl_wait_start_clears_previous_ext_ack(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	strcpy(nl.ext_ack, "stale");
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	assert_string_equal(nl.ext_ack, "");
}

static void test_nl_wait_ack_per_request_completes(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r1, r2;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 3, 100);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r1, 0, sizeof(r1));
	reply_ack(&r1, 101);
	assert_int_equal(nl_wait_feed(&w, r1.buf, r1.len), 1);
	assert_int_equal(w.pending, 2);

	memset(&r2, 0, sizeof(r2));
	reply_ack(&r2, 102);
	reply_ack(&r2, 103);
	assert_int_equal(nl_wait_feed(&w, r2.buf, r2.len), 0);
	assert_int_equal(w.pending, 0);
	assert_int_equal(w.err, 0);
	assert_string_equal(nl.ext_ack, "");
}

static void test_nl_wait_error_records_errno_and_ext_ack(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 2, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	reply_ack(&r, 1);
	reply_err(&r, 2, -EEXIST, NLM_F_REQUEST | NLM_F_ACK, "Interface already exists");
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.pending, 0);
	assert_int_equal(w.err, -EEXIST);
	assert_string_equal(nl.ext_ack, "Interface already exists");
}

static void test_nl_wait_error_names_the_request_it_answers(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 4, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	reply_ack(&r, 1);
	reply_ack(&r, 2);
	reply_err(&r, 3, -ENETUNREACH, NLM_F_REQUEST | NLM_F_ACK, NULL);
	reply_err(&r, 4, -EEXIST, NLM_F_REQUEST | NLM_F_ACK, NULL);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -ENETUNREACH); /* the first error */
	assert_int_equal(w.err_seq, 3);
}

/* Past the room it has in place, a batch moves to the heap, its requests intact. */
static void test_nl_batch_grows_past_its_room(void **state)
{
	struct nl_sock nl = { .portid = PORTID };
	static struct nl_batch b;
	const struct nlmsghdr *nlh;
	unsigned int i, n = 1000; /* 40 bytes each: twice the room in place */
	struct nl_wait w;
	int left;

	(void)state;
	nl_batch_init(&b);
	for (i = 0; i < n; i++) {
		struct nlmsghdr *m = nl_batch_add(&nl, &b, RTM_NEWLINK, 0);

		mnl_nlmsg_put_extra_header(m, sizeof(struct ifinfomsg));
		mnl_attr_put_u32(m, IFLA_MTU, 1000 + i);
	}
	assert_int_equal(b.err, 0);
	assert_int_equal(b.count, n);
	assert_ptr_not_equal(b.buf, b.small);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	assert_int_equal(w.pending, n);

	nlh = (const struct nlmsghdr *)b.buf;
	left = (int)nl_batch_size(&b);
	for (i = 0; mnl_nlmsg_ok(nlh, left); i++, nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlattr *mtu = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct ifinfomsg));

		assert_int_equal(nlh->nlmsg_seq, i + 1);
		assert_int_equal(mnl_attr_get_u32(mtu), 1000 + i);
	}
	assert_int_equal(i, n);
	assert_int_equal(left, 0);

	nl_batch_free(&b);
	assert_ptr_equal(b.buf, b.small);
	assert_int_equal(b.count, 0);
}

static void test_nl_wait_ext_ack_found_after_other_attributes(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	nlh = reply_put(&r, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = 32;
	e->msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	e->msg.nlmsg_seq = 1;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Unknown device type");
	reply_end(&r, nlh);

	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -EINVAL);
	assert_string_equal(nl.ext_ack, "Unknown device type");
}

static void test_nl_wait_uncapped_error_skips_echoed_request(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *nlh, *req;
	struct nlmsgerr *e;
	struct nl_wait w;
	void *echo;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	req = (struct nlmsghdr *)b.buf;
	/* A request with an attribute that looks like an ext ack message. */
	mnl_attr_put_strz(req, NLMSGERR_ATTR_MSG, "not from the kernel");
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	nlh = reply_put(&r, NLMSG_ERROR, NLM_F_ACK_TLVS, 1);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENODEV;
	e->msg = *req;
	echo = mnl_nlmsg_put_extra_header(nlh, req->nlmsg_len - sizeof(*req));
	memcpy(echo, mnl_nlmsg_get_payload(req), req->nlmsg_len - sizeof(*req));
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Device does not exist");
	reply_end(&r, nlh);

	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -ENODEV);
	assert_string_equal(nl.ext_ack, "Device does not exist");
}

static void test_nl_wait_error_without_ack_tlvs_leaves_ext_ack_empty(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *nlh;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	/* The attribute is there, but the flag saying so is not. */
	memset(&r, 0, sizeof(r));
	nlh = reply_err(&r, 1, -EPERM, NLM_F_REQUEST | NLM_F_ACK, "ignored");
	nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK_TLVS;
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -EPERM);
	assert_string_equal(nl.ext_ack, "");
}

static void test_nl_wait_ext_ack_without_nul_is_ignored(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	nlh = reply_put(&r, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = 16;
	e->msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 4, "abcd");
	reply_end(&r, nlh);

	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -EINVAL);
	assert_string_equal(nl.ext_ack, "");
}

static void test_nl_wait_first_error_wins(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 2, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	reply_err(&r, 1, -EEXIST, NLM_F_REQUEST | NLM_F_ACK, "first");
	reply_err(&r, 2, -ENODEV, NLM_F_REQUEST | NLM_F_ACK, "second");
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -EEXIST);
	assert_string_equal(nl.ext_ack, "first");
}

static void test_nl_wait_ack_with_warning_is_no_error(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	reply_err(&r, 1, 0, NLM_F_REQUEST | NLM_F_ACK, "warning: something odd");
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, 0);
	assert_string_equal(nl.ext_ack, "");
}

static void test_nl_wait_done_with_negative_payload_records_dump_error(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *nlh;
	struct nl_wait w;

	(void)state;
	memset(&nl, 0, sizeof(nl));
	nl.portid = PORTID;
	nl_batch_init(&b);
	nlh = nl_batch_add(&nl, &b, RTM_GETLINK, NLM_F_DUMP);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	assert_int_equal(w.pending, 1);

	memset(&r, 0, sizeof(r));
	reply_done(&r, 1, -EMSGSIZE, "dump too big");
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -EMSGSIZE);
	assert_string_equal(nl.ext_ack, "dump too big");
}

static void test_nl_wait_done_with_zero_payload_completes_dump(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	memset(&nl, 0, sizeof(nl));
	nl.portid = PORTID;
	nl_batch_init(&b);
	nl_batch_add(&nl, &b, RTM_GETLINK, NLM_F_DUMP);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	reply_done(&r, 1, 0, NULL);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.pending, 0);
	assert_int_equal(w.err, 0);
}

static void test_nl_wait_ignores_replies_outside_batch(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct seen seen = { 0 };
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 2, 10); /* requests 11 and 12 */
	assert_int_equal(
		nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), record_cb, &seen), 0);

	memset(&r, 0, sizeof(r));
	reply_ack(&r, 10);
	reply_ack(&r, 13);
	reply_err(&r, 9, -EEXIST, NLM_F_REQUEST | NLM_F_ACK, "old");
	reply_done(&r, 14, -EIO, NULL);
	reply_data(&r, 13, 7);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 1);
	assert_int_equal(w.pending, 2);
	assert_int_equal(w.err, 0);
	assert_int_equal(seen.calls, 0);
	assert_string_equal(nl.ext_ack, "");

	memset(&r, 0, sizeof(r));
	reply_ack(&r, 11);
	reply_ack(&r, 12);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
}

static void test_nl_wait_seq_across_wraparound_is_ours(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 3, UINT32_MAX - 1); /* UINT32_MAX, 0, 1 */
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	assert_int_equal(w.seq_first, UINT32_MAX);
	assert_int_equal(w.seq_last, 1);

	memset(&r, 0, sizeof(r));
	reply_ack(&r, UINT32_MAX - 1);
	reply_ack(&r, 2);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 1);
	assert_int_equal(w.pending, 3);

	memset(&r, 0, sizeof(r));
	reply_ack(&r, UINT32_MAX);
	reply_ack(&r, 0);
	reply_ack(&r, 1);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
}

static void test_nl_wait_data_message_invokes_callback(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct seen seen = { 0 };
	struct nl_wait w;

	(void)state;
	memset(&nl, 0, sizeof(nl));
	nl.portid = PORTID;
	nl_batch_init(&b);
	nl_batch_add(&nl, &b, RTM_GETLINK, NLM_F_DUMP);
	assert_int_equal(
		nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), record_cb, &seen), 0);

	memset(&r, 0, sizeof(r));
	reply_data(&r, 1, 1);
	reply_data(&r, 1, 2);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 1);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.last_index, 2);

	memset(&r, 0, sizeof(r));
	reply_data(&r, 1, 3);
	reply_done(&r, 1, 0, NULL);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(seen.calls, 3);
	assert_int_equal(seen.last_index, 3);
	assert_int_equal(w.err, 0);
}

static void test_nl_wait_callback_error_fails_but_wait_completes(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct seen seen = { .fail = ENOMEM };
	struct nl_wait w;

	(void)state;
	memset(&nl, 0, sizeof(nl));
	nl.portid = PORTID;
	nl_batch_init(&b);
	nl_batch_add(&nl, &b, RTM_GETLINK, NLM_F_DUMP);
	assert_int_equal(
		nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), record_cb, &seen), 0);

	memset(&r, 0, sizeof(r));
	reply_data(&r, 1, 1);
	reply_data(&r, 1, 2);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 1);
	assert_int_equal(w.err, -ENOMEM);
	/* Not called again once it failed. */
	assert_int_equal(seen.calls, 1);

	memset(&r, 0, sizeof(r));
	reply_done(&r, 1, 0, NULL);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.pending, 0);
	assert_int_equal(w.err, -ENOMEM);
}

static void test_nl_wait_error_about_request_without_ack_ends_wait(void **state)
{
	struct nl_sock nl = { .portid = PORTID };
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *begin, *end;
	struct nl_wait w;

	(void)state;
	/* As an nftables batch: begin marker, two changes, end marker. */
	nl_batch_init(&b);
	begin = nl_batch_add(&nl, &b, NLMSG_MIN_TYPE, 0);
	begin->nlmsg_flags = NLM_F_REQUEST;
	nl_batch_add(&nl, &b, NLMSG_MIN_TYPE + 1, 0);
	nl_batch_add(&nl, &b, NLMSG_MIN_TYPE + 1, 0);
	end = nl_batch_add(&nl, &b, NLMSG_MIN_TYPE + 2, 0);
	end->nlmsg_flags = NLM_F_REQUEST;
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	assert_int_equal(w.pending, 2);

	memset(&r, 0, sizeof(r));
	reply_err(&r, 1, -EPERM, NLM_F_REQUEST, "batch refused");
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.pending, 0);
	assert_int_equal(w.err, -EPERM);
	assert_string_equal(nl.ext_ack, "batch refused");
}

static void test_nl_wait_rejects_reply_for_other_portid(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *nlh;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	nlh = reply_err(&r, 1, 0, NLM_F_REQUEST | NLM_F_ACK, NULL);
	nlh->nlmsg_pid = PORTID + 1;
	assert_true(nl_wait_feed(&w, r.buf, r.len) < 0);
	assert_int_equal(w.pending, 1);
}

static void test_nl_wait_short_error_message_is_malformed(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nlmsghdr *nlh;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);

	memset(&r, 0, sizeof(r));
	nlh = reply_put(&r, NLMSG_ERROR, 0, 1);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -EPERM;
	reply_end(&r, nlh);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), -EBADMSG);
	assert_int_equal(w.pending, 1);
}

/* Found by tests/fuzz/fuzz_netlink: libmnl took 0xffffffff for -1 and looped. */
static void test_nl_wait_start_refuses_length_over_2_gib(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 2, 0);
	((struct nlmsghdr *)b.buf)->nlmsg_len = 0xffffffff;
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL),
			 -EINVAL);
	((struct nlmsghdr *)b.buf)->nlmsg_len = 0x80000000;
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL),
			 -EINVAL);
}

static void test_nl_wait_reply_with_length_over_2_gib_is_malformed(void **state)
{
	static const uint32_t lens[] = { 0xffffffff, 0xfffffffd, 0x80000000 };
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct seen s = { 0 };
	struct nl_wait w;
	size_t i;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b),
					       record_cb, &s),
				 0);
		memset(&r, 0, sizeof(r));
		reply_data(&r, 1, 7);
		((struct nlmsghdr *)r.buf)->nlmsg_len = lens[i];
		assert_int_equal(nl_wait_feed(&w, r.buf, r.len), -EBADMSG);
		assert_int_equal(s.calls, 0);
		assert_int_equal(w.pending, 1);
	}
}

static void test_nl_wait_reply_running_past_datagram_is_malformed(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	memset(&r, 0, sizeof(r));
	reply_ack(&r, 1);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len - 4), -EBADMSG);
	assert_int_equal(w.pending, 1);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
}

/* Found by tests/fuzz/fuzz_netlink: -INT_MIN overflowed when logged (UBSan). */
static void test_nl_wait_error_past_errno_range_is_eproto(void **state)
{
	static const int errors[] = { INT_MIN, -4096, 4096, INT_MAX };
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		batch_of(&nl, &b, 2, 0);
		assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL,
					       NULL),
				 0);
		memset(&r, 0, sizeof(r));
		reply_err(&r, 1, errors[i], NLM_F_REQUEST | NLM_F_ACK, NULL);
		reply_done(&r, 2, errors[i], NULL);
		assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
		assert_int_equal(w.err, -EPROTO);
	}
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	memset(&r, 0, sizeof(r));
	reply_err(&r, 1, -4095, NLM_F_REQUEST | NLM_F_ACK, NULL);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -4095);
}

static void test_nl_wait_interrupted_dump_is_read_to_its_end_and_fails(void **state)
{
	struct nl_sock nl = { .portid = PORTID };
	static struct nl_batch b;
	static struct reply r;
	struct seen seen = { 0 };
	struct nl_wait w;

	(void)state;
	nl_batch_init(&b);
	nl_batch_add(&nl, &b, RTM_GETLINK, NLM_F_DUMP);
	assert_int_equal(
		nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), record_cb, &seen), 0);

	memset(&r, 0, sizeof(r));
	reply_data(&r, 1, 1);
	((struct nlmsghdr *)r.buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	reply_data(&r, 1, 2);
	/* Read to its end, so that none of it is left for the next request. */
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 1);
	memset(&r, 0, sizeof(r));
	reply_done(&r, 1, 0, NULL);
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);
	assert_int_equal(w.err, -EINTR);
	assert_int_equal(seen.calls, 0);
}

static void test_nl_err_adds_kernel_explanation(void **state)
{
	struct nl_sock nl;
	static struct nl_batch b;
	static struct reply r;
	struct nl_wait w;

	(void)state;
	batch_of(&nl, &b, 1, 0);
	assert_int_equal(nl_wait_start(&w, &nl, b.buf, nl_batch_size(&b), NULL, NULL), 0);
	memset(&r, 0, sizeof(r));
	reply_err(&r, 1, -EEXIST, NLM_F_REQUEST | NLM_F_ACK, "Link already exists");
	assert_int_equal(nl_wait_feed(&w, r.buf, r.len), 0);

	log_clear();
	assert_int_equal(nl_err(&nl, w.err, "add veth %s", "pl0"), -EEXIST);
	assert_string_equal(log_last(),
			    "add veth pl0: File exists (kernel: Link already exists)");
	assert_int_equal(log_last_errno(), -EEXIST);
}

static void test_nl_err_without_ext_ack_has_no_kernel_part(void **state)
{
	struct nl_sock nl = { 0 };

	(void)state;
	log_clear();
	assert_int_equal(nl_err(&nl, -ENODEV, "set link %s up", "eth9"), -ENODEV);
	assert_string_equal(log_last(), "set link eth9 up: No such device");
}

/*
 * A namespace that cannot be entered (here a directory, which is none) is
 * the caller's to report, naming the socket: nl_open_netns() logs nothing.
 */
static void test_nl_open_netns_failure_logs_nothing(void **state)
{
	struct nl_sock nl = { 0 };
	int fd = open("/", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	log_clear();
	assert_true(nl_open_netns(&nl, NETLINK_ROUTE, fd) < 0);
	assert_string_equal(log_last(), "");
	assert_null(nl.mnl);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nl_batch_add_numbers_requests_after_socket_seq),
		cmocka_unit_test(test_nl_batch_grows_past_its_room),
		cmocka_unit_test(test_nl_wait_error_names_the_request_it_answers),
		cmocka_unit_test(test_nl_batch_add_adds_request_and_ack_flags),
		cmocka_unit_test(
			test_nl_batch_add_places_next_request_after_aligned_previous),
		cmocka_unit_test(test_nl_batch_size_counts_request_being_built),
		cmocka_unit_test(test_nl_batch_init_empties_batch),
		cmocka_unit_test(test_nl_wait_start_counts_requests_that_ask_for_answer),
		cmocka_unit_test(test_nl_wait_start_refuses_partial_messages),
		cmocka_unit_test(test_nl_wait_start_clears_previous_ext_ack),
		cmocka_unit_test(test_nl_wait_ack_per_request_completes),
		cmocka_unit_test(test_nl_wait_error_records_errno_and_ext_ack),
		cmocka_unit_test(test_nl_wait_ext_ack_found_after_other_attributes),
		cmocka_unit_test(test_nl_wait_uncapped_error_skips_echoed_request),
		cmocka_unit_test(
			test_nl_wait_error_without_ack_tlvs_leaves_ext_ack_empty),
		cmocka_unit_test(test_nl_wait_ext_ack_without_nul_is_ignored),
		cmocka_unit_test(test_nl_wait_first_error_wins),
		cmocka_unit_test(test_nl_wait_ack_with_warning_is_no_error),
		cmocka_unit_test(
			test_nl_wait_done_with_negative_payload_records_dump_error),
		cmocka_unit_test(test_nl_wait_done_with_zero_payload_completes_dump),
		cmocka_unit_test(test_nl_wait_ignores_replies_outside_batch),
		cmocka_unit_test(test_nl_wait_seq_across_wraparound_is_ours),
		cmocka_unit_test(test_nl_wait_data_message_invokes_callback),
		cmocka_unit_test(test_nl_wait_callback_error_fails_but_wait_completes),
		cmocka_unit_test(test_nl_wait_error_about_request_without_ack_ends_wait),
		cmocka_unit_test(test_nl_wait_rejects_reply_for_other_portid),
		cmocka_unit_test(test_nl_wait_short_error_message_is_malformed),
		cmocka_unit_test(test_nl_wait_start_refuses_length_over_2_gib),
		cmocka_unit_test(test_nl_wait_reply_with_length_over_2_gib_is_malformed),
		cmocka_unit_test(test_nl_wait_reply_running_past_datagram_is_malformed),
		cmocka_unit_test(test_nl_wait_error_past_errno_range_is_eproto),
		cmocka_unit_test(test_nl_wait_interrupted_dump_is_read_to_its_end_and_fails),
		cmocka_unit_test(test_nl_err_adds_kernel_explanation),
		cmocka_unit_test(test_nl_err_without_ext_ack_has_no_kernel_part),
		cmocka_unit_test(test_nl_open_netns_failure_logs_nothing),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
