// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft: set elements as lib/nft.c reads them from the kernel's answers.
 *
 * The answers are built by hand with libnftnl; this file defines
 * mnl_socket_sendto() and mnl_socket_recvfrom(), which take precedence over
 * libmnl's, so the requests go nowhere and the answers come from here: no
 * socket, no kernel. nat_list() is read here too, as it is a walk of sets.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/nft.h>
#include <plumb/nl.h>

/*
 * The datagram the next mnl_socket_recvfrom() returns; after it, each
 * receive gets an empty dump (NLMSG_DONE) for the last request sent.
 */
static struct {
	char buf[8192] __attribute__((aligned(8)));
	size_t len;
	int given;
	uint32_t last_seq;
} answer;

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	(void)nl;
	answer.last_seq = ((const struct nlmsghdr *)buf)->nlmsg_seq;
	return (ssize_t)len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size)
{
	struct nlmsghdr *nlh;

	(void)nl;
	if (answer.given || !answer.len) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = NLMSG_DONE;
		nlh->nlmsg_flags = NLM_F_MULTI;
		nlh->nlmsg_seq = answer.last_seq;
		*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
		return (ssize_t)nlh->nlmsg_len;
	}
	assert_true(answer.len <= size);
	answer.given = 1;
	memcpy(buf, answer.buf, answer.len);
	return (ssize_t)answer.len;
}

/* End the answer to the first request (seq 1) with NLMSG_DONE. */
static void answer_done(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(answer.buf + answer.len);

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	answer.len += MNL_ALIGN(nlh->nlmsg_len);
}

/* An answer to the first request (seq 1): one element of pub4, then DONE. */
static void answer_elem(const void *udata, uint32_t udata_len)
{
	uint8_t key[8] = { IPPROTO_TCP, 0, 0, 0, 0x1f, 0x90 }; /* tcp . 8080 */
	uint8_t data[8] = { 10, 88, 0, 2, 0, 80 };
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *se = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;

	assert_non_null(s);
	assert_non_null(se);
	assert_int_equal(nft_key_len(NFT_PUB4), sizeof(key));
	assert_int_equal(nft_data_len(NFT_PUB4), sizeof(data));
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_set_name(NFT_PUB4));
	nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY, key, sizeof(key));
	nftnl_set_elem_set(se, NFTNL_SET_ELEM_DATA, data, sizeof(data));
	nftnl_set_elem_set(se, NFTNL_SET_ELEM_USERDATA, udata, udata_len);
	nftnl_set_elem_add(s, se);

	memset(&answer, 0, sizeof(answer));
	nlh = nftnl_nlmsg_build_hdr(answer.buf, NFT_MSG_NEWSETELEM, NFPROTO_INET,
				    NLM_F_MULTI, 1);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	answer.len = MNL_ALIGN(nlh->nlmsg_len);
	nftnl_set_free(s);

	answer_done();
}

/* An answer whose one element has FLAGS of @flags_len bytes, then DONE. */
static void answer_bad_flags(size_t flags_len)
{
	static const uint8_t flags[8];
	struct nlattr *list, *elem;
	struct nlmsghdr *nlh;

	memset(&answer, 0, sizeof(answer));
	nlh = nftnl_nlmsg_build_hdr(answer.buf, NFT_MSG_NEWSETELEM, NFPROTO_INET,
				    NLM_F_MULTI, 1);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, NFT_TABLE);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put(nlh, NFTA_SET_ELEM_FLAGS, flags_len, flags);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	answer.len = MNL_ALIGN(nlh->nlmsg_len);

	answer_done();
}

/* The counter expression of an element, its packets @packets_len bytes long. */
static void put_counter(struct nlmsghdr *nlh, uint16_t type, size_t packets_len)
{
	uint64_t packets = htobe64(7), bytes = htobe64(420);
	struct nlattr *expr, *data;

	expr = mnl_attr_nest_start(nlh, type);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "counter");
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put(nlh, NFTA_COUNTER_BYTES, sizeof(bytes), &bytes);
	mnl_attr_put(nlh, NFTA_COUNTER_PACKETS, packets_len, &packets);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, expr);
}

/*
 * An answer whose one pub4 element has a counter of 7 packets, as the kernel
 * gives it for a set with one expression (NFTA_SET_ELEM_EXPR) or with
 * several (a list in NFTA_SET_ELEM_EXPRESSIONS); then DONE.
 */
static void answer_counted(int list, size_t packets_len)
{
	static const uint8_t key[8] = { IPPROTO_TCP, 0, 0, 0, 0x1f, 0x90 };
	struct nlattr *elems, *elem, *nest;
	struct nlmsghdr *nlh;

	memset(&answer, 0, sizeof(answer));
	nlh = nftnl_nlmsg_build_hdr(answer.buf, NFT_MSG_NEWSETELEM, NFPROTO_INET,
				    NLM_F_MULTI, 1);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, NFT_TABLE);
	elems = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	nest = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(key), key);
	mnl_attr_nest_end(nlh, nest);
	if (list) {
		nest = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_EXPRESSIONS);
		put_counter(nlh, NFTA_LIST_ELEM, packets_len);
		mnl_attr_nest_end(nlh, nest);
	} else {
		put_counter(nlh, NFTA_SET_ELEM_EXPR, packets_len);
	}
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, elems);
	answer.len = MNL_ALIGN(nlh->nlmsg_len);
	answer_done();
}

/* An answer of masq4 elements, in the order given, then DONE. */
struct interval_key {
	uint8_t key[4];
	int is_end;
	const char *owner;
};

static void answer_masq4(const struct interval_key *k, size_t n)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlattr *list, *elem;
	struct nlmsghdr *nlh;
	size_t i;

	assert_non_null(s);
	assert_int_equal(nft_key_len(NFT_MASQ4), 4);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_set_name(NFT_MASQ4));
	for (i = 0; i < n; i++) {
		struct nftnl_set_elem *se = nftnl_set_elem_alloc();
		char udata[64] = { NFTNL_UDATA_SET_ELEM_COMMENT };

		assert_non_null(se);
		nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY, k[i].key, 4);
		if (k[i].is_end)
			nftnl_set_elem_set_u32(se, NFTNL_SET_ELEM_FLAGS,
					       NFT_SET_ELEM_INTERVAL_END);
		if (k[i].owner) {
			udata[1] = (char)(strlen(k[i].owner) + 1);
			memcpy(udata + 2, k[i].owner, strlen(k[i].owner) + 1);
			nftnl_set_elem_set(se, NFTNL_SET_ELEM_USERDATA, udata,
					   2 + strlen(k[i].owner) + 1);
		}
		nftnl_set_elem_add(s, se);
	}
	memset(&answer, 0, sizeof(answer));
	nlh = nftnl_nlmsg_build_hdr(answer.buf, NFT_MSG_NEWSETELEM, NFPROTO_INET,
				    NLM_F_MULTI, 1);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	/* libnftnl numbers the elements it sends; the kernel's are all LIST_ELEM. */
	mnl_attr_for_each(list, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(list) == NFTA_SET_ELEM_LIST_ELEMENTS)
			mnl_attr_for_each_nested(elem, list)
				elem->nla_type = NLA_F_NESTED | NFTA_LIST_ELEM;
	}
	answer.len = MNL_ALIGN(nlh->nlmsg_len);
	nftnl_set_free(s);

	answer_done();
}

struct seen {
	int calls;
	char owner[NFT_OWNER_MAX + 1];
	uint8_t data[20];
	int counted;
	uint64_t packets;
};

static int record_elem(const struct nft_elem *e, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	memcpy(s->owner, e->owner, sizeof(s->owner));
	memcpy(s->data, e->data, sizeof(s->data));
	s->counted = e->counted;
	s->packets = e->packets;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	log_test_mute(1);
	return 0;
}

static void test_nft_elem_owner_read_from_comment(void **state)
{
	static const char udata[] = {
		NFTNL_UDATA_SET_ELEM_COMMENT, 6, 'n', '/', 'c', '/', 'e', '\0'
	};
	struct nl_sock nl = { 0 };
	struct seen s = { 0 };

	(void)state;
	answer_elem(udata, sizeof(udata));
	assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.owner, "n/c/e");
	assert_memory_equal(s.data, ((uint8_t[]){ 10, 88, 0, 2, 0, 80 }), 6);
}

/*
 * Found by tests/fuzz/fuzz_netlink: a record claiming more bytes than the
 * user data holds was read past its end (ASan: heap-buffer-overflow).
 */
static void test_nft_elem_comment_past_user_data_is_ignored(void **state)
{
	static const char udata[] = { NFTNL_UDATA_SET_ELEM_COMMENT, 200, 'x', '\0' };
	struct nl_sock nl = { 0 };
	struct seen s = { 0 };

	(void)state;
	answer_elem(udata, sizeof(udata));
	assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.owner, "");
}

static void test_nft_elem_half_record_header_is_ignored(void **state)
{
	static const char udata[] = { NFTNL_UDATA_SET_ELEM_COMMENT, 2, 'a', '\0',
				      NFTNL_UDATA_SET_ELEM_COMMENT };
	struct nl_sock nl = { 0 };
	struct seen s = { 0 };

	(void)state;
	answer_elem(udata, sizeof(udata));
	assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.owner, "a");
}

/*
 * Found by tests/fuzz/fuzz_netlink: libnftnl's parser called exit(1) ("nf_tables
 * kernel ABI is broken") on an attribute of the wrong size.
 */
static void test_nft_elem_malformed_flags_is_an_error(void **state)
{
	struct nl_sock nl = { 0 };
	struct seen s = { 0 };

	(void)state;
	answer_bad_flags(2);
	assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s), -EBADMSG);
	assert_int_equal(s.calls, 0);
	answer_bad_flags(4); /* well formed, but no key: skipped */
	nl.seq = 0;
	assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s), 0);
	assert_int_equal(s.calls, 0);
}

static void test_nft_elem_counter_read_alone_or_in_a_list(void **state)
{
	struct nl_sock nl = { 0 };
	struct seen s = { 0 };
	int list;

	(void)state;
	for (list = 0; list < 2; list++) {
		s = (struct seen){ 0 };
		nl.seq = 0;
		answer_counted(list, sizeof(uint64_t));
		assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s), 0);
		assert_int_equal(s.calls, 1);
		assert_int_equal(s.counted, 1);
		assert_int_equal(s.packets, 7);
	}
	/* No expression, no counter. */
	s = (struct seen){ 0 };
	nl.seq = 0;
	answer_elem("", 0);
	assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.counted, 0);
}

static void test_nft_elem_counter_of_the_wrong_size_is_an_error(void **state)
{
	struct nl_sock nl = { 0 };
	struct seen s = { 0 };
	int list;

	(void)state;
	for (list = 0; list < 2; list++) {
		nl.seq = 0;
		answer_counted(list, sizeof(uint32_t));
		assert_int_equal(nft_elem_for_each(&nl, NFT_PUB4, record_elem, &s),
				 -EBADMSG);
		assert_int_equal(s.calls, 0);
	}
}

/* Found by tests/fuzz/fuzz_netlink: qsort(NULL, 0, ...), undefined (UBSan). */
static void test_nat_list_of_empty_table_is_empty(void **state)
{
	struct nat nat = { .netns_fd = -1, .state_dir = "/nonexistent" };
	json_t *out = NULL;

	(void)state;
	memset(&answer, 0, sizeof(answer));
	assert_int_equal(nat_list(&nat, 0, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "masquerade")), 0);
	assert_int_equal(json_array_size(json_object_get(out, "published")), 0);
	json_decref(out);
}

/*
 * Found while writing fuzz_netlink's nat_list() mode: every start was paired
 * with the lowest end, and a prefix shorter than the subnet's matched first
 * (10.89.0.0/16 listed as /32 or /15, 224.0.0.0/3 as /0).
 */
static void test_nat_list_gives_each_masquerade_interval_its_length(void **state)
{
	static const struct interval_key k[] = {
		{ { 10, 89, 0, 0 }, 0, "c" },	 { { 10, 90, 0, 0 }, 1, NULL },
		{ { 10, 88, 0, 0 }, 0, "a" },	 { { 10, 89, 0, 0 }, 1, NULL },
		{ { 192, 168, 8, 0 }, 1, NULL }, { { 192, 168, 7, 0 }, 0, "e" },
		{ { 224, 0, 0, 0 }, 0, "top" },
	};
	static const char *const want[][2] = {
		{ "10.88.0.0/16", "a" },
		{ "10.89.0.0/16", "c" },
		{ "192.168.7.0/24", "e" },
		{ "224.0.0.0/3", "top" },
	};
	struct nat nat = { .netns_fd = -1, .state_dir = "/nonexistent" };
	json_t *out = NULL, *masq, *m;
	size_t i;

	(void)state;
	answer_masq4(k, sizeof(k) / sizeof(k[0]));
	assert_int_equal(nat_list(&nat, 0, &out), 0);
	masq = json_object_get(out, "masquerade");
	assert_int_equal(json_array_size(masq), 4);
	for (i = 0; i < 4; i++) {
		m = json_array_get(masq, i);
		assert_string_equal(json_string_value(json_object_get(m, "subnet")),
				    want[i][0]);
		assert_string_equal(json_string_value(json_object_get(m, "owner")),
				    want[i][1]);
	}
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft_elem_owner_read_from_comment),
		cmocka_unit_test(test_nft_elem_comment_past_user_data_is_ignored),
		cmocka_unit_test(test_nft_elem_half_record_header_is_ignored),
		cmocka_unit_test(test_nft_elem_malformed_flags_is_an_error),
		cmocka_unit_test(test_nft_elem_counter_read_alone_or_in_a_list),
		cmocka_unit_test(test_nft_elem_counter_of_the_wrong_size_is_an_error),
		cmocka_unit_test(test_nat_list_of_empty_table_is_empty),
		cmocka_unit_test(test_nat_list_gives_each_masquerade_interval_its_length),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
