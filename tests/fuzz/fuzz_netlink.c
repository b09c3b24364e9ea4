// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_netlink: netlink replies as plumb reads them: the accounting of
 * answers (nl_wait_start/nl_wait_feed, lib/nl.c), links (nl_link_parse,
 * lib/link.c), the address and route dumps (lib/addr.c, lib/route.c), the
 * nsid reply (lib/netns.c), nftables' generation, table and set elements
 * (lib/nft.c, and nat_list() on top of them), and conntrack entries
 * (lib/conntrack.c).
 *
 * Theory of operation: the parsers behind the dumps are static callbacks,
 * reached only through public functions that send a request and read the
 * replies. This harness defines mnl_socket_sendto() and mnl_socket_recvfrom(),
 * which take precedence over libmnl's (the executable's definition wins):
 * sending only notes the sequence numbers of the requests, receiving returns
 * the next datagram of the input. The struct nl_sock stays zeroed: no socket
 * is ever made, nothing reaches the kernel. nft_commit() and nft_table_del()
 * read their answers with recv() on the socket's descriptor
 * (nl_send_batch()), so they are not reached; nl_wait_feed(), which parses
 * those answers, is fuzzed directly.
 *
 * Input: see netlink_input.h.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <plumb/addr.h>
#include <plumb/conntrack.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/netns.h>
#include <plumb/nft.h>
#include <plumb/nl.h>
#include <plumb/route.h>

#include "fuzz.h"
#include "netlink_input.h"

static struct {
	const uint8_t *data;
	size_t left;
	uint32_t seq_first;
	uint32_t seq_last;
} fz;

static char fz_buf[NL_RECV_SIZE] __attribute__((aligned(8)));

/* mnl_nlmsg_ok() without its signed comparison (see lib/nl.c). */
static int fz_msg_ok(const struct nlmsghdr *nlh, int left)
{
	return left >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)left;
}

/* Walk the requests just sent for their first and last sequence numbers. */
static void fz_note_requests(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	if (!fz_msg_ok(nlh, left))
		return;
	fz.seq_first = nlh->nlmsg_seq;
	for (; fz_msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		fz.seq_last = nlh->nlmsg_seq;
}

/*
 * The next datagram of the input into @buf, or -1 when none is left; @fix
 * allows FZ_SEQ_FIX (not for requests).
 */
static ssize_t fz_next(void *buf, size_t size, int fix)
{
	struct nlmsghdr *nlh = buf;
	size_t len, n;
	uint8_t flags;
	int left;

	if (fz.left < 3)
		return -1;
	flags = fz.data[0];
	len = (size_t)fz.data[1] | (size_t)fz.data[2] << 8;
	fz.data += 3;
	fz.left -= 3;
	if (len > fz.left)
		len = fz.left;
	n = len < size ? len : size; /* as recv() truncates */
	memcpy(buf, fz.data, n);
	fz.data += len;
	fz.left -= len;

	if (fix && flags & FZ_SEQ_FIX) {
		uint32_t count = fz.seq_last - fz.seq_first + 1;

		left = (int)n;
		for (; fz_msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			nlh->nlmsg_seq = fz.seq_first + (count ? nlh->nlmsg_seq % count : 0);
	}
	return (ssize_t)n;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	(void)nl;
	fz_note_requests(buf, len);
	return (ssize_t)len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size)
{
	ssize_t n;

	(void)nl;
	n = fz_next(buf, size, 1);
	if (n < 0)
		errno = ENOBUFS; /* no more answers: the request fails */
	return n;
}

/* --- what the tools do with what they read ---------------------------- */

static void fz_link_check(const struct nl_link *link)
{
	assert(strnlen(link->name, sizeof(link->name)) < sizeof(link->name));
	assert(strnlen(link->kind, sizeof(link->kind)) < sizeof(link->kind));
	assert(strnlen(link->alias, sizeof(link->alias)) < sizeof(link->alias));
}

static int fz_link(const struct nl_link *link, void *arg)
{
	(void)arg;
	fz_link_check(link);
	return 0;
}

static int fz_wait_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link link;

	(void)data;
	if (nl_link_parse(nlh, &link) == 0)
		fz_link_check(&link);
	return MNL_CB_OK;
}

static int fz_addr(const struct inet_prefix *p, void *arg)
{
	char buf[INET_PREFIX_STRLEN];

	(void)arg;
	assert(p->addr.family == AF_INET || p->addr.family == AF_INET6);
	inet_prefix_str(p, buf, sizeof(buf));
	return 0;
}

static int fz_route(const struct nl_route *r, void *arg)
{
	char buf[INET_PREFIX_STRLEN];

	(void)arg;
	inet_prefix_str(&r->dst, buf, sizeof(buf));
	if (r->gateway.family)
		inet_addr_str(&r->gateway, buf, sizeof(buf));
	return 0;
}

static int fz_elem(const struct nft_elem *e, void *arg)
{
	json_t *j = NULL;

	(void)arg;
	assert(strnlen(e->owner, sizeof(e->owner)) < sizeof(e->owner));
	if (e->set >= NFT_PUB4 && e->set <= NFT_PUBLOCAL4) {
		assert(nat_elem_describe(e, &j) == 0);
		json_decref(j);
	}
	return 0;
}

static void fz_wait(struct nl_sock *nl)
{
	static char req[NL_RECV_SIZE] __attribute__((aligned(8)));
	struct nl_wait w;
	ssize_t n;
	int ret;

	n = fz_next(req, sizeof(req), 0);
	if (n < 0 || nl_wait_start(&w, nl, req, (size_t)n, fz_wait_cb, NULL) < 0)
		return;
	fz.seq_first = w.seq_first;
	fz.seq_last = w.seq_last;
	while ((n = fz_next(fz_buf, sizeof(fz_buf), 1)) >= 0) {
		ret = nl_wait_feed(&w, fz_buf, (size_t)n);
		assert(ret <= 1);
		if (ret <= 0)
			break;
	}
	assert(w.err <= 0);
	assert(strnlen(nl->ext_ack, sizeof(nl->ext_ack)) < sizeof(nl->ext_ack));
}

static void fz_run(enum fz_mode mode, uint8_t param)
{
	static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	struct nl_sock nl = { 0 };
	struct nat nat = { .netns_fd = -1, .state_dir = "/nonexistent" };
	struct ct_match m = { .family = AF_INET, .proto = IPPROTO_UDP };
	struct nft_elem e = { .set = (enum nft_set_id)(param % NFT_SET_COUNT) };
	struct inet_addr dst = { .family = AF_INET, .b = { 10, 88, 0, 2 } };
	struct nl_link link;
	uint32_t genid;
	json_t *out = NULL;

	switch (mode) {
	case FZ_WAIT:
		fz_wait(&nl);
		break;
	case FZ_LINK_GET:
		if ((param & 1 ? nl_link_get_index(&nl, 2, &link) :
				 nl_link_get(&nl, "eth0", &link)) == 0)
			fz_link_check(&link);
		break;
	case FZ_LINK_DUMP:
		nl_link_for_each(&nl, fz_link, NULL);
		break;
	case FZ_ADDR_DUMP:
		nl_addr_for_each(&nl, families[param % 3], param & 4 ? 2 : 0, fz_addr,
				 NULL);
		break;
	case FZ_ROUTE_DUMP:
		nl_route_for_each(&nl, param & 1 ? AF_INET6 : AF_INET, fz_route, NULL);
		break;
	case FZ_ROUTE_OIF:
		nl_route_get_oif(&nl, &dst);
		break;
	case FZ_NSID:
		netns_get_id(&nl, 3); /* only a number in the request */
		break;
	case FZ_NFT_GEN:
		nft_gen_get(&nl, &genid);
		break;
	case FZ_NFT_TABLE:
		nft_table_exists(&nl);
		break;
	case FZ_NFT_ELEMS:
		nft_elem_for_each(&nl, e.set, fz_elem, NULL);
		break;
	case FZ_NFT_ELEM_GET:
		if (nft_elem_get(&nl, &e) == 1)
			assert(strnlen(e.owner, sizeof(e.owner)) < sizeof(e.owner));
		break;
	case FZ_NAT_LIST:
		if (nat_list(&nat, 1, &out) == 0)
			assert(json_is_object(out));
		json_decref(out);
		break;
	case FZ_CONNTRACK:
		m.family = param & 1 ? AF_INET6 : AF_INET;
		m.port_min = 8080;
		m.port_max = param & 2 ? 8090 : 8080;
		conntrack_flush(&nl, &m);
		break;
	case FZ_MODES:
		break;
	}
	assert(strnlen(nl.ext_ack, sizeof(nl.ext_ack)) < sizeof(nl.ext_ack));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	fz.data = data + 2;
	fz.left = size - 2;
	fz.seq_first = fz.seq_last = 0;
	fz_run((enum fz_mode)(data[0] % FZ_MODES), data[1]);
	return 0;
}
