// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * foreign: other firewalls that filter forwarding (Docker's and ufw's
 * iptables chains, a distribution's nftables.conf, firewalld), and the few
 * tagged things plumb keeps in them so that its bridges' traffic gets
 * through.
 *
 * Theory of operation: a packet that the kernel forwards must be accepted by
 * every base chain at the forward hook, whichever table it is in; a chain
 * whose policy is drop therefore drops plumb's traffic even though plumb's
 * own table accepts it. Each kind of firewall has an adapter that knows how
 * to let plumb's bridges through it and how to take that back. Every
 * adapter is called:
 * - when a network is made (a bridge gets its first container), for that
 *   network and for what all networks share, so that a container made while
 *   the firewall runs works at once;
 * - by "plumb-nat reconcile", after the firewall started or reloaded and
 *   wiped what plumb had put there, for every bridge in plumb's interface
 *   group, with the subnets of the addresses it carries: the kernel, not a
 *   record, says what plumb's networks are;
 * - by "plumb-nat flush", which takes everything back.
 * What plumb adds matches its own traffic only (the interface group of its
 * bridges, BRIDGE_GROUP), is tagged FOREIGN_TAG, and is the same whatever
 * networks exist, so that it never needs to change as they come and go.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/addr.h>
#include <plumb/bridge.h>
#include <plumb/foreign.h>
#include <plumb/link.h>
#include <plumb/log.h>

#define FOREIGN_SUBNETS_MAX 16 /* of one bridge, handed to the adapters */

static const struct foreign_adapter adapters[] = {
	{ "nftables", foreign_nft_admit, foreign_nft_withdraw },
	{ "iptables-legacy", foreign_xt_admit, foreign_xt_withdraw },
	{ "firewalld", foreign_firewalld_admit, foreign_firewalld_withdraw },
};

/**
 * foreign_admit() - let plumb's bridges through every foreign firewall
 * @netns_fd:	the namespace of the bridges, -1 for ours
 * @nets:	networks to let through: one that is being made, or all
 * @n:		how many
 *
 * Every adapter is asked, even after one failed.
 *
 * Return: 0 or the first negative errno (logged by the adapter).
 */
int foreign_admit(int netns_fd, const struct foreign_net *nets, size_t n)
{
	size_t i;
	int ret, err = 0;

	for (i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		ret = adapters[i].admit(netns_fd, nets, n);
		if (ret < 0 && !err)
			err = ret;
	}
	return err;
}

/**
 * foreign_withdraw() - take back all plumb put in foreign firewalls
 * @netns_fd:	the namespace, -1 for ours
 *
 * Every adapter is asked, even after one failed.
 *
 * Return: 0 or the first negative errno (logged by the adapter).
 */
int foreign_withdraw(int netns_fd)
{
	size_t i;
	int ret, err = 0;

	for (i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		ret = adapters[i].withdraw(netns_fd);
		if (ret < 0 && !err)
			err = ret;
	}
	return err;
}

struct foreign_bridges {
	char (*name)[IF_NAMESIZE];
	int *index;
	size_t n;
	size_t cap;
};

static int foreign_bridge_collect(const struct nl_link *link, void *arg)
{
	struct foreign_bridges *b = arg;
	size_t cap;
	void *p;

	if (link->group != BRIDGE_GROUP || strcmp(link->kind, "bridge"))
		return 0;
	if (b->n == b->cap) {
		cap = b->cap ? 2 * b->cap : 8;
		p = realloc(b->name, cap * sizeof(*b->name));
		if (!p)
			return -ENOMEM;
		b->name = p;
		p = realloc(b->index, cap * sizeof(*b->index));
		if (!p)
			return -ENOMEM;
		b->index = p;
		b->cap = cap;
	}
	memcpy(b->name[b->n], link->name, IF_NAMESIZE);
	b->index[b->n++] = link->index;
	return 0;
}

/* The subnets of a bridge's addresses, link-local ones left out. */
struct foreign_subnets {
	struct inet_prefix v[FOREIGN_SUBNETS_MAX];
	size_t n;
};

static int foreign_subnet_collect(const struct inet_prefix *p, void *arg)
{
	struct foreign_subnets *s = arg;
	static const uint8_t link_local[2] = { 0xfe, 0x80 };

	if (p->addr.family == AF_INET6 && !memcmp(p->addr.b, link_local, 2))
		return 0;
	if (s->n < FOREIGN_SUBNETS_MAX) {
		s->v[s->n] = *p;
		inet_prefix_mask(&s->v[s->n++]);
	}
	return 0;
}

/* All of plumb's bridges, with their subnets, to every adapter at once. */
static int foreign_admit_bridges(struct nl_sock *nl, int netns_fd)
{
	struct foreign_bridges b = { 0 };
	struct foreign_subnets *s = NULL;
	struct foreign_net *nets = NULL;
	size_t i;
	int ret;

	ret = nl_link_for_each(nl, foreign_bridge_collect, &b);
	if (ret < 0)
		ret = nl_err(nl, ret == -ECANCELED ? -ENOMEM : ret,
			     "list plumb's bridges");
	if (ret == 0 && b.n) {
		s = calloc(b.n, sizeof(*s));
		nets = calloc(b.n, sizeof(*nets));
		if (!s || !nets)
			ret = log_err(-ENOMEM, "list plumb's bridges");
	}
	for (i = 0; ret == 0 && i < b.n; i++) {
		ret = nl_addr_for_each(nl, AF_UNSPEC, b.index[i], foreign_subnet_collect,
				       &s[i]);
		if (ret < 0)
			ret = nl_err(nl, ret, "list the addresses of %s", b.name[i]);
		nets[i] = (struct foreign_net){ .network = b.name[i],
						.bridge = b.name[i],
						.n_subnets = s[i].n,
						.subnets = s[i].v };
	}
	if (ret == 0 && b.n)
		ret = foreign_admit(netns_fd, nets, b.n);
	free(nets);
	free(s);
	free(b.name);
	free(b.index);
	return ret;
}

/**
 * foreign_reconcile() - bring back what plumb keeps in foreign firewalls,
 * after one of them started or reloaded
 * @netns_fd:	the namespace, -1 for ours
 *
 * Only when plumb has bridges there (interface group BRIDGE_GROUP): all of
 * them are admitted, each with the subnets of its addresses.
 *
 * Return: 0 or the first negative errno (logged).
 */
int foreign_reconcile(int netns_fd)
{
	struct nl_sock nl;
	int ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	ret = foreign_admit_bridges(&nl, netns_fd);
	nl_close(&nl);
	return ret;
}
