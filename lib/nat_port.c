// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_port: plumb-nat behind a bridge plumb did not make (the reference
 * "bridge" plugin's, with plumb-nat as the chain's portmap): the bridge and
 * the container's port on it, found among a CNI result's host interfaces;
 * the bridge put in plumb's interface group and the port in hairpin mode;
 * and the hairpin's masquerade of a subnet that is not masqueraded (sets
 * hairpin4 and hairpin6), so that a container reaches its own published
 * port whatever made its bridge.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/bridge.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>

#include "nat_txn.h"

/* --- a bridge another plugin made ----------------------------------------- */

struct nat_port_scan {
	struct nl_sock nl;
	struct nl_link link[NAT_PORT_NAMES];
	size_t n;
};

/**
 * nat_port_find() - among the host interfaces a bridge plugin reported
 * (prevResult's "interfaces" without "sandbox"), the bridge and the
 * container's port on it
 * @nat:	the handle (its namespace is the host side's)
 * @names:	the interfaces' names; at most NAT_PORT_NAMES are looked at
 * @n:		how many
 * @port:	filled when found
 *
 * Return: 1 when found, 0 when none of them is a bridge with one of the
 * others as its port (the ptp plugin, macvlan...), or negative errno
 * (logged).
 */
int nat_port_find(struct nat *nat, const char *const *names, size_t n,
		  struct nat_port *port)
{
	struct nat_port_scan s = { 0 };
	size_t i, k;
	int ret;

	ret = nl_open_netns(&s.nl, NETLINK_ROUTE, nat->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	for (i = 0; ret >= 0 && i < n && s.n < NAT_PORT_NAMES; i++) {
		if (nl_link_name_check_try(names[i], NULL) < 0)
			continue;
		ret = nl_link_get(&s.nl, names[i], &s.link[s.n]);
		if (ret == 0)
			s.n++;
		else if (ret == -ENODEV)
			ret = 0;
		else
			nl_err(&s.nl, ret, "look up %s", names[i]);
	}
	for (i = 0; ret >= 0 && i < s.n; i++) {
		for (k = 0; k < s.n; k++) {
			if (strcmp(s.link[i].kind, "bridge") ||
			    s.link[k].master != s.link[i].index)
				continue;
			*port = (struct nat_port){ .bridge = s.link[i],
						   .port = s.link[k] };
			port->plumbs = bridge_marked(&s.nl, &s.link[i], NULL);
			nl_close(&s.nl);
			return 1;
		}
	}
	nl_close(&s.nl);
	return ret < 0 ? ret : 0;
}

/**
 * nat_port_adopt() - make a bridge that plumb did not make one that plumb
 * serves: in plumb's interface group, so that the rules plumb keeps in other
 * firewalls let it through (lib/foreign.c), and with hairpin mode on the
 * container's port, so that a container reaches its own published port
 * (with bridge netfilter on, the kernel bridges the DNATed packet back
 * out of the port it came in by)
 * @nat:	the handle
 * @port:	the bridge and port nat_port_find() found
 * @hairpin:	turn hairpin mode on
 *
 * A bridge already in another group is left there, with a warning.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_port_adopt(struct nat *nat, const struct nat_port *port, int hairpin)
{
	struct nl_sock nl;
	int ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, nat->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	if (!port->bridge.group)
		ret = nl_link_set_group(&nl, port->bridge.name, BRIDGE_GROUP);
	else if (port->bridge.group != BRIDGE_GROUP)
		log_warn("bridge %s is in interface group %u, not plumb's (0x%x): other "
			 "firewalls' chains may drop its traffic",
			 port->bridge.name, port->bridge.group, BRIDGE_GROUP);
	if (ret == 0 && hairpin && port->port.hairpin == 0)
		ret = nl_link_set_hairpin(&nl, port->port.name);
	nl_close(&nl);
	return ret;
}

/* --- hairpin --------------------------------------------------------- */

static void nat_hairpin_record_name(const struct inet_prefix *subnet, char *buf,
				    size_t size)
{
	char addr[INET_ADDR_STRLEN];

	snprintf(buf, size, "hairpin-%s_%u",
		 inet_addr_str(&subnet->addr, addr, sizeof(addr)), subnet->len);
}

/**
 * nat_hairpin_add() - masquerade the DNATed traffic of a subnet, so that a
 * container reaches its own published port although the subnet is not
 * masqueraded (portmap's "snat", behind a bridge plumb did not make)
 * @nat:	the handle
 * @subnet:	the subnet, no host bits
 * @network:	the network, whose owner (network@NAME) holds it
 *
 * Nothing is done for a subnet that is masqueraded: its hairpin is there.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_hairpin_add(struct nat *nat, const struct inet_prefix *subnet,
		    const char *network)
{
	char name[NAT_NAME_MAX], buf[INET_PREFIX_STRLEN], owner[NFT_OWNER_MAX + 1];
	struct nft_elem e;
	json_t *rec;
	int ret, fresh;

	/* A masqueraded subnet has its hairpin already (the rule before). */
	nat_masq_elem(subnet, "", &e);
	ret = nft_elem_get(&nat->nl, &e);
	if (ret != 0)
		return ret < 0 ? ret : 0;

	rec = json_pack("{s:s, s:s}", "type", "hairpin", "subnet",
			inet_prefix_str(subnet, buf, sizeof(buf)));
	if (!rec)
		return log_err(-ENOMEM, "record the hairpin of %s", buf);
	nat_owner_network(network, owner);
	nat_hairpin_record_name(subnet, name, sizeof(name));
	fresh = ret = nat_record_intent(nat, owner, name, rec);
	json_decref(rec);
	nat_hairpin_elem(subnet, owner, &e);
	if (ret >= 0)
		ret = nat_apply_add(nat, &e, 1, 0);
	if (ret < 0 && fresh > 0)
		nat_record_del(nat, owner, name);
	return ret;
}
