// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * capture: record what the kernel answers plumb's netlink requests, as seeds
 * for fuzz_netlink (tests/fuzz/corpus/netlink/).
 *
 *	tests/fuzz/capture DIR
 *
 * Run it only through tests/fuzz/capture.sh, which builds a network in a
 * namespace of its own (unshare --net) first: it asks the kernel of the
 * namespace it runs in, and FZ_WAIT creates and deletes a bridge there.
 *
 * It calls the same public functions as fuzz_netlink, each on a new socket
 * (so sequence numbers start at 1, as in the harness), and links with
 * --wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom: every datagram
 * received is written to the seed as the harness reads it (netlink_input.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>

#include <plumb/addr.h>
#include <plumb/conntrack.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/netns.h>
#include <plumb/nft.h>
#include <plumb/nl.h>
#include <plumb/route.h>

#include "netlink_input.h"

ssize_t __real_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __real_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size);

static FILE *cap_out;
static int cap_requests; /* FZ_WAIT: the requests are the first datagram */

static void cap_put(const void *buf, size_t len)
{
	uint8_t head[3] = { 0, (uint8_t)len, (uint8_t)(len >> 8) };

	if (!cap_out || len > 0xffff)
		return;
	fwrite(head, 1, sizeof(head), cap_out);
	fwrite(buf, 1, len, cap_out);
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	if (cap_requests)
		cap_put(buf, len);
	return __real_mnl_socket_sendto(nl, buf, len);
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size)
{
	ssize_t n = __real_mnl_socket_recvfrom(nl, buf, size);

	if (n > 0)
		cap_put(buf, (size_t)n);
	return n;
}

static int cap_start(const char *dir, const char *name, enum fz_mode mode, uint8_t param,
		     struct nl_sock *nl, int bus)
{
	char path[4096];
	uint8_t head[2] = { (uint8_t)mode, param };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cap_out = fopen(path, "we");
	if (!cap_out || nl_open(nl, bus) < 0) {
		perror(path);
		exit(1);
	}
	fwrite(head, 1, sizeof(head), cap_out);
	return 0;
}

static void cap_end(struct nl_sock *nl)
{
	nl_close(nl);
	fclose(cap_out);
	cap_out = NULL;
}

static int cap_link(const struct nl_link *link, void *arg)
{
	(void)link;
	(void)arg;
	return 0;
}

static int cap_addr(const struct inet_prefix *p, void *arg)
{
	(void)p;
	(void)arg;
	return 0;
}

static int cap_route(const struct nl_route *r, void *arg)
{
	(void)r;
	(void)arg;
	return 0;
}

static int cap_elem(const struct nft_elem *e, void *arg)
{
	(void)e;
	(void)arg;
	return 0;
}

static void cap_rtnl(const char *dir)
{
	struct inet_addr dst = { .family = AF_INET, .b = { 10, 88, 0, 2 } };
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct nl_link link;
	struct nl_sock nl;
	int fd;

	cap_start(dir, "link-get-eth0", FZ_LINK_GET, 0, &nl, NETLINK_ROUTE);
	nl_link_get(&nl, "eth0", &link);
	cap_end(&nl);
	cap_start(dir, "link-get-index-2", FZ_LINK_GET, 1, &nl, NETLINK_ROUTE);
	nl_link_get_index(&nl, 2, &link);
	cap_end(&nl);
	cap_start(dir, "link-dump", FZ_LINK_DUMP, 0, &nl, NETLINK_ROUTE);
	nl_link_for_each(&nl, cap_link, NULL);
	cap_end(&nl);
	cap_start(dir, "addr-dump-all", FZ_ADDR_DUMP, 0, &nl, NETLINK_ROUTE);
	nl_addr_for_each(&nl, AF_UNSPEC, 0, cap_addr, NULL);
	cap_end(&nl);
	cap_start(dir, "addr-dump-v6-index-2", FZ_ADDR_DUMP, 2 | 4, &nl, NETLINK_ROUTE);
	nl_addr_for_each(&nl, AF_INET6, 2, cap_addr, NULL);
	cap_end(&nl);
	cap_start(dir, "route-dump-v4", FZ_ROUTE_DUMP, 0, &nl, NETLINK_ROUTE);
	nl_route_for_each(&nl, AF_INET, cap_route, NULL);
	cap_end(&nl);
	cap_start(dir, "route-dump-v6", FZ_ROUTE_DUMP, 1, &nl, NETLINK_ROUTE);
	nl_route_for_each(&nl, AF_INET6, cap_route, NULL);
	cap_end(&nl);
	cap_start(dir, "route-get-oif", FZ_ROUTE_OIF, 0, &nl, NETLINK_ROUTE);
	nl_route_get_oif(&nl, &dst);
	cap_end(&nl);

	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cap_start(dir, "nsid-self", FZ_NSID, 0, &nl, NETLINK_ROUTE);
	netns_get_id(&nl, fd);
	cap_end(&nl);
	close(fd);

	/* A request and its answers: an ack, then EEXIST with extended ACK. */
	cap_requests = 1;
	cap_start(dir, "wait-add-bridge", FZ_WAIT, 0, &nl, NETLINK_ROUTE);
	nl_link_add_bridge(&nl, "capbr0", mac, "plumb capture");
	cap_end(&nl);
	cap_start(dir, "wait-add-bridge-exists", FZ_WAIT, 0, &nl, NETLINK_ROUTE);
	nl_link_add_bridge(&nl, "capbr0", mac, NULL);
	cap_end(&nl);
	cap_start(dir, "wait-del-missing", FZ_WAIT, 0, &nl, NETLINK_ROUTE);
	nl_link_del(&nl, "nosuchlink0");
	cap_end(&nl);
	cap_start(dir, "wait-del-bridge", FZ_WAIT, 0, &nl, NETLINK_ROUTE);
	nl_link_del(&nl, "capbr0");
	cap_end(&nl);
	cap_requests = 0;
}

static void cap_netfilter(const char *dir)
{
	struct ct_match m = { .family = AF_INET, .proto = IPPROTO_UDP,
			      .port_min = 8080, .port_max = 8080 };
	struct nat nat = { .netns_fd = -1, .state_dir = "/nonexistent" };
	struct nft_elem e = { .set = NFT_PUB4 };
	char name[64];
	json_t *out = NULL;
	uint32_t genid;
	struct nl_sock nl;
	int set;

	cap_start(dir, "nft-gen", FZ_NFT_GEN, 0, &nl, NETLINK_NETFILTER);
	nft_gen_get(&nl, &genid);
	cap_end(&nl);
	cap_start(dir, "nft-table", FZ_NFT_TABLE, 0, &nl, NETLINK_NETFILTER);
	nft_table_exists(&nl);
	cap_end(&nl);
	for (set = 0; set < NFT_SET_COUNT; set++) {
		snprintf(name, sizeof(name), "nft-elems-%s", nft_set_name(set));
		cap_start(dir, name, FZ_NFT_ELEMS, (uint8_t)set, &nl, NETLINK_NETFILTER);
		nft_elem_for_each(&nl, set, cap_elem, NULL);
		cap_end(&nl);
	}
	/* Key 0 is no element: the answer is ENOENT. */
	cap_start(dir, "nft-elem-get-missing", FZ_NFT_ELEM_GET, NFT_PUB4, &nl,
		  NETLINK_NETFILTER);
	nft_elem_get(&nl, &e);
	cap_end(&nl);
	/* tcp 8080, which capture.sh publishes */
	e.key[0] = IPPROTO_TCP;
	e.key[4] = 8080 >> 8;
	e.key[5] = 8080 & 0xff;
	cap_start(dir, "nft-elem-get-8080", FZ_NFT_ELEM_GET, NFT_PUB4, &nl,
		  NETLINK_NETFILTER);
	nft_elem_get(&nl, &e);
	cap_end(&nl);
	cap_start(dir, "nat-list", FZ_NAT_LIST, 0, &nat.nl, NETLINK_NETFILTER);
	if (nat_list(&nat, 1, &out) == 0)
		json_decref(out);
	cap_end(&nat.nl);
	cap_start(dir, "conntrack-udp-8080", FZ_CONNTRACK, 0, &nl, NETLINK_NETFILTER);
	conntrack_flush(&nl, &m);
	cap_end(&nl);
	m.port_max = 8090;
	cap_start(dir, "conntrack-udp-8080-8090", FZ_CONNTRACK, 2, &nl, NETLINK_NETFILTER);
	conntrack_flush(&nl, &m);
	cap_end(&nl);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (run by tests/fuzz/capture.sh)\n", argv[0]);
		return 2;
	}
	log_init("capture");
	cap_rtnl(argv[1]);
	cap_netfilter(argv[1]);
	return 0;
}
