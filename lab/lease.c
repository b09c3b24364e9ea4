// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lease: the addresses of bridge ports, from plumb's IPAM. Each bridge with
 * a subnet is a network of the lab's own lease store,
 * <state>/lab/<lab>/ipam/<bridge>/ (host-local's format), and each port an
 * attachment (node, interface) in it. A port keeps its addresses from one
 * "up" to the next; "down" removes the whole store, so the next "up" hands
 * out the same addresses again, in the order of the file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>
#include <plumb/state.h>

#include "run.h"

/**
 * lab_ipam_dir() - the lab's lease store
 * @lab:	the lab's name
 * @buf:	"<state>/lab/<lab>/ipam"
 * @size:	room at @buf
 */
void lab_ipam_dir(const char *lab, char *buf, size_t size)
{
	snprintf(buf, size, STATE_DIR "/" LAB_STATE_KIND "/%s/ipam", lab);
}

/**
 * struct lease_net - a bridge's subnets, as its lease store takes them
 * @br:		the bridge
 * @n:		subnets
 * @sets:	one range set each, IPv4 first
 */
struct lease_net {
	const struct lab_bridge *br;
	size_t n;
	struct ipam_set sets[2];
};

/* The leases a port holds that are still in its bridge's subnets. */
static int lease_find(struct ipam *ipam, const struct lease_net *net, struct lab_if *i,
		      const char *node, struct ipam_lease *leases)
{
	int n = ipam_lease_find(ipam, net->sets, net->n, node, i->name, leases, net->n);
	size_t k;

	if (n < 0 || (size_t)n != net->n)
		return n < 0 ? n : 0;
	/* An address asked for in the file and not held: the lease changes. */
	for (k = 0; k < (size_t)n; k++) {
		const struct inet_addr *want = &i->want[leases[k].addr.addr.family == AF_INET6];

		if (want->family && !inet_addr_eq(want, &leases[k].addr.addr))
			return 0;
	}
	return n;
}

/* One port's addresses: those it holds, or new ones. */
static int lease_port(struct lab_run *run, struct ipam *ipam, const struct lease_net *net,
		      struct lab_if *i)
{
	const char *node = run->lab->nodes[i->node].name;
	struct ipam_lease leases[2];
	struct inet_addr want[2];
	size_t k;
	int n, ret;

	/* A new lab has no lease: finding none would read every lease. */
	n = run->fresh ? 0 : lease_find(ipam, net, i, node, leases);
	if (n < 0)
		return n;
	if (n == 0 && run->check)
		return run_drift(run, "%s: %s holds no address in bridge %s", node,
				 i->name, net->br->key);
	if (n == 0) {
		ret = run->fresh ? 0 : ipam_lease_release(ipam, node, i->name);
		for (k = 0; ret >= 0 && k < net->n; k++)
			want[k] = i->want[net->sets[k].range[0].subnet.addr.family == AF_INET6];
		if (ret >= 0)
			ret = ipam_lease_claim(ipam, net->sets, net->n, node, i->name, want,
					       leases);
		if (ret < 0)
			return ret;
		n = (int)net->n;
	}
	i->n_ip = 0;
	for (k = 0; k < (size_t)n; k++)
		i->ip[i->n_ip++] = leases[k].addr;
	return 0;
}

static int lease_bridge(struct lab_run *run, const char *dir, size_t b)
{
	struct lab *lab = run->lab;
	struct lease_net net = { .br = &lab->bridges[b] };
	struct ipam ipam;
	size_t i, k;
	int ret;

	for (k = 0; k < 2; k++) {
		if (net.br->sets[k].n)
			net.sets[net.n++] = net.br->sets[k];
	}
	if (!net.n)
		return 0;
	ret = ipam_open(&ipam, dir, net.br->key);
	if (ret < 0)
		return ret;
	for (i = 0; i < lab->n_ifs && ret == 0; i++) {
		if (lab->ifs[i].bridge == (int)b)
			ret = lease_port(run, &ipam, &net, &lab->ifs[i]);
	}
	ipam_close(&ipam);
	return ret;
}

/**
 * lab_leases() - give every bridge port the addresses of its bridge's subnets
 * @run:	the run; with @run->check, only the leases held are read
 *
 * Return: 0 or negative errno (logged).
 */
int lab_leases(struct lab_run *run)
{
	char dir[PATH_MAX];
	size_t b;
	int ret = 0;

	lab_ipam_dir(run->lab->name, dir, sizeof(dir));
	for (b = 0; b < run->lab->n_bridges && ret == 0; b++)
		ret = lease_bridge(run, dir, b);
	return ret;
}
