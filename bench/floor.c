// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floor: the least a program can do to wire one container, to measure what
 * the kernel itself costs.
 *
 * It is linked as the plumb tools are (libmnl shared; libnftnl, libcap and
 * jansson from their archives), so that its process start, dynamic linking
 * included, is the one a plumb tool pays: "floor true" does nothing else.
 *
 * "floor add" wires a container with two netlink round trips:
 *   1. host socket, one sendmsg: RTM_NEWLINK creating the veth, host end up
 *      and enslaved to the bridge (IFLA_MASTER), the peer named IFNAME made
 *      in the container's namespace (IFLA_NET_NS_FD); then RTM_NEWLINK
 *      setting hairpin mode on the bridge port (IFLA_INFO_SLAVE_DATA), as
 *      both chains do;
 *   2. a socket opened inside the namespace (setns() of this process, which
 *      has nothing else to do), one sendmsg: lo up, the peer up (it cannot be
 *      brought up in 1: veth_open() fails with ENOTCONN while its own peer is
 *      not linked yet), the address, the default route via the gateway.
 * "floor del" deletes the host end of the veth (the kernel removes both).
 * Each prints "kernel USEC": the time from opening the sockets to the last
 * acknowledgement.
 *
 * usage: floor true
 *        floor add NETNS_PATH HOST_VETH IFNAME BRIDGE ADDR/PLEN GATEWAY
 *        floor del HOST_VETH
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <jansson.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <sys/capability.h>

/* Keep every library a real dependency, whatever the linker's --as-needed. */
static void *const floor_libs[]
	__attribute__((used)) = { (void *)mnl_socket_open, (void *)nftnl_table_alloc,
				  (void *)cap_get_proc, (void *)json_object };

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct nlmsghdr *msg_put(char *buf, size_t *off, int type, int flags,
				unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	nlh->nlmsg_seq = seq;
	return nlh;
}

/* Send the @n messages in @buf at once and read their @n acks. */
static void talk(struct mnl_socket *nl, char *buf, size_t len, unsigned int n,
		 const char *what)
{
	char reply[8192] __attribute__((aligned(8)));
	unsigned int portid = mnl_socket_get_portid(nl), acked = 0;
	struct nlmsghdr *nlh;
	ssize_t k;
	int len_left;

	if (mnl_socket_sendto(nl, buf, len) < 0)
		die(what);
	while (acked < n) {
		k = mnl_socket_recvfrom(nl, reply, sizeof(reply));
		if (k < 0)
			die(what);
		len_left = (int)k;
		for (nlh = (struct nlmsghdr *)reply; mnl_nlmsg_ok(nlh, len_left);
		     nlh = mnl_nlmsg_next(nlh, &len_left)) {
			if (nlh->nlmsg_pid != portid || nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			errno = -((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
			if (errno)
				die(what);
			acked++;
		}
	}
}

static struct mnl_socket *sock_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("open rtnetlink socket");
	return nl;
}

static int floor_add(char **argv)
{
	char buf[4096] __attribute__((aligned(8)));
	const char *netns = argv[0], *veth = argv[1], *ifname = argv[2],
		   *bridge = argv[3];
	struct nlattr *info, *data, *peer;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	struct rtmsg *rtm;
	struct in_addr addr, gw;
	unsigned int br, idx;
	char *slash;
	size_t off = 0;
	struct mnl_socket *nl;
	long long t0;
	int nsfd, plen;

	slash = strchr(argv[4], '/');
	if (!slash)
		return 2;
	*slash = '\0';
	plen = atoi(slash + 1);
	if (inet_pton(AF_INET, argv[4], &addr) != 1 ||
	    inet_pton(AF_INET, argv[5], &gw) != 1)
		return 2;

	t0 = now_us();
	nsfd = open(netns, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		die(netns);
	br = if_nametoindex(bridge);
	if (!br)
		die(bridge);
	nl = sock_open();

	/* 1. the veth, enslaved and up, its peer up in the namespace; hairpin */
	nlh = msg_put(buf, &off, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 1);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, veth);
	mnl_attr_put_u32(nlh, IFLA_MASTER, br);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer cannot be set up here: its own peer is not linked yet */
	ifi = (struct ifinfomsg *)((char *)nlh + nlh->nlmsg_len);
	memset(ifi, 0, sizeof(*ifi));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	off += nlh->nlmsg_len;

	nlh = msg_put(buf, &off, RTM_NEWLINK, 0, 2);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, veth);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	off += nlh->nlmsg_len;
	talk(nl, buf, off, 2, "create veth");
	mnl_socket_close(nl);

	/* 2. inside: lo up, address, default route */
	if (setns(nsfd, CLONE_NEWNET) < 0)
		die("enter namespace");
	nl = sock_open();
	idx = if_nametoindex(ifname);
	if (!idx)
		die(ifname);
	off = 0;
	nlh = msg_put(buf, &off, RTM_NEWLINK, 0, 3);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 1; /* lo is always 1 */
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	off += nlh->nlmsg_len;

	nlh = msg_put(buf, &off, RTM_NEWLINK, 0, 4);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = (int)idx;
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	off += nlh->nlmsg_len;

	nlh = msg_put(buf, &off, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, 5);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_index = idx;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	off += nlh->nlmsg_len;

	nlh = msg_put(buf, &off, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, 6);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gw), &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, idx);
	off += nlh->nlmsg_len;
	talk(nl, buf, off, 4, "address and route");
	mnl_socket_close(nl);
	close(nsfd);
	printf("kernel %lld\n", now_us() - t0);
	return 0;
}

static int floor_del(const char *veth)
{
	char buf[512] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct mnl_socket *nl;
	size_t off = 0;
	long long t0;

	t0 = now_us();
	nl = sock_open();
	nlh = msg_put(buf, &off, RTM_DELLINK, 0, 1);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	(void)ifi;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, veth);
	talk(nl, buf, nlh->nlmsg_len, 1, "delete veth");
	mnl_socket_close(nl);
	printf("kernel %lld\n", now_us() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "true"))
		return 0;
	if (argc == 8 && !strcmp(argv[1], "add"))
		return floor_add(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "del"))
		return floor_del(argv[2]);
	fputs("usage: floor true | add NETNS VETH IFNAME BRIDGE ADDR/PLEN GW | "
	      "del VETH\n",
	      stderr);
	return 2;
}
