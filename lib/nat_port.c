// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_port: plumb-nat behind a bridge plumb did not make (the reference
 * "bridge" plugin's, with plumb-nat as the chain's portmap): the bridge and
 * the container's port on it, found among a CNI result's host interfaces;
 * the bridge put in plumb's interface group and the port in hairpin mode,
 * after it got its forwarding policy, and both put back as they were when
 * the attachment goes (the group with the last attachment on the bridge),
 * or all of them at once by "plumb-nat flush" and made plumb's again by
 * "plumb-nat reconcile", from the attachments' records (NAT_CNI_KIND);
 * and the hairpin's masquerade of a subnet that is not masqueraded (sets
 * hairpin4 and hairpin6), so that a container reaches its own published
 * port whatever made its bridge.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/bridge.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

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
			port->plumbs = bridge_marked(&s.nl, &s.link[i]);
			nl_close(&s.nl);
			return 1;
		}
	}
	nl_close(&s.nl);
	return ret < 0 ? ret : 0;
}

/**
 * nat_port_was() - what nat_port_adopt() changes, as it was: for the
 * attachment's record, so that nat_port_restore() can put it back and
 * nat_port_reconcile() make it plumb's again
 * @port:	the bridge and port nat_port_find() found
 * @hairpin:	nat_port_adopt() is asked to turn hairpin mode on
 *
 * plumb's group on a bridge plumb did not make is plumb's own doing (an
 * earlier container's, or a setup that was killed): the bridge was in the
 * default group before.
 *
 * Return: {name, group, port, hairpin, hairpin_set}, or NULL (out of
 * memory).
 */
json_t *nat_port_was(const struct nat_port *port, int hairpin)
{
	uint32_t group = port->bridge.group == BRIDGE_GROUP ? 0 : port->bridge.group;

	return json_pack("{s:s, s:I, s:s, s:b, s:b}", "name", port->bridge.name, "group",
			 (json_int_t)group, "port", port->port.name, "hairpin",
			 port->port.hairpin > 0, "hairpin_set",
			 hairpin && port->port.hairpin == 0);
}

/*
 * struct nat_port_rec - a record of nat_port_was(), read back: @name the
 * bridge, @group its group before, @port the container's port, @hairpin its
 * mode before, @hairpin_set whether plumb turned it on (0 in a record of a
 * plumb-nat older than the key).
 */
struct nat_port_rec {
	const char *name;
	const char *port;
	long long group;
	int hairpin;
	int hairpin_set;
};

static int nat_port_rec_read(const json_t *was, struct nat_port_rec *r)
{
	*r = (struct nat_port_rec){ 0 };
	if (json_get_string(was, "name", &r->name) <= 0 ||
	    nl_link_name_check_try(r->name, NULL) < 0 ||
	    json_get_string(was, "port", &r->port) <= 0 ||
	    nl_link_name_check_try(r->port, NULL) < 0 ||
	    json_get_int(was, "group", 0, UINT32_MAX, &r->group) <= 0 ||
	    json_get_bool(was, "hairpin", &r->hairpin) <= 0 ||
	    json_get_bool(was, "hairpin_set", &r->hairpin_set) < 0)
		return log_errx(-EBADMSG, "a damaged record of a bridge plumb adopted");
	return 0;
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
 * The bridge must have its forwarding policy first (nat_net_add()): the
 * group lets it through other firewalls, to plumb's table, which must
 * guard it from then on. A bridge already in another group is left there,
 * with a warning. Under the policy lock, so that the last teardown on the
 * bridge (nat_port_restore()) cannot take the group back meanwhile.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_port_adopt(struct nat *nat, const struct nat_port *port, int hairpin)
{
	struct nl_sock nl;
	int lock, ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, nat->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	lock = ret = nat_net_lock(nat, 1);
	if (ret >= 0 && !port->bridge.group)
		ret = nl_link_set_group(&nl, port->bridge.name, BRIDGE_GROUP);
	else if (ret >= 0 && port->bridge.group != BRIDGE_GROUP)
		log_warn("bridge %s is in interface group %u, not plumb's (0x%x): other "
			 "firewalls' chains may drop its traffic",
			 port->bridge.name, port->bridge.group, BRIDGE_GROUP);
	if (ret >= 0 && hairpin && port->port.hairpin == 0)
		ret = nl_link_set_hairpin(&nl, port->port.name, 1);
	if (lock >= 0)
		close(lock);
	nl_close(&nl);
	return ret < 0 ? ret : 0;
}

/* @port's hairpin mode @on, if it is still on @bridge and not so already. */
static int nat_port_set_hairpin(struct nl_sock *nl, const struct nl_link *bridge,
				const char *port, int on)
{
	struct nl_link link;
	int ret;

	ret = nl_link_get(nl, port, &link);
	if (ret == -ENODEV) /* gone with its veth */
		return 0;
	if (ret < 0)
		return nl_err(nl, ret, "look up %s", port);
	if (link.master != bridge->index || link.hairpin < 0 || link.hairpin == !!on)
		return 0;
	return nl_link_set_hairpin(nl, port, on);
}

/**
 * nat_port_restore() - undo what nat_port_adopt() did for one attachment:
 * its port's hairpin mode, and when no attachment of plumb's is left on the
 * bridge, the bridge's interface group
 * @nat:	the handle
 * @was:	what nat_port_was() recorded; NULL for nothing
 * @in_use:	says, under the policy lock, whether an attachment of plumb's
 *		is still on the bridge (its record written): 1, 0, or negative
 *		errno; NULL gives the group back whatever is left (flush)
 * @arg:	passed to @in_use
 *
 * Without plumb's group, the rules plumb keeps in other firewalls no longer
 * let the bridge through, and what the firewall's own rules drop is dropped
 * again, unguarded by plumb or not. A bridge that changed hands (a group
 * other than plumb's, or made by plumb since) is left alone.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_port_restore(struct nat *nat, const json_t *was,
		     int (*in_use)(void *arg, const char *bridge), void *arg)
{
	struct nat_port_rec r;
	struct nl_link bridge;
	struct nl_sock nl;
	int lock = -1, ret;

	if (!was)
		return 0;
	ret = nat_port_rec_read(was, &r);
	if (ret < 0)
		return ret;
	ret = nl_open_netns(&nl, NETLINK_ROUTE, nat->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	ret = nl_link_get(&nl, r.name, &bridge);
	if (ret == -ENODEV) {
		ret = 0; /* gone, and its ports with it */
		goto out;
	}
	if (ret < 0) {
		nl_err(&nl, ret, "look up %s", r.name);
		goto out;
	}
	if (!r.hairpin)
		ret = nat_port_set_hairpin(&nl, &bridge, r.port, 0);
	if (ret < 0 || bridge.group != BRIDGE_GROUP || r.group == BRIDGE_GROUP ||
	    bridge_marked(&nl, &bridge))
		goto out;
	lock = ret = nat_net_lock(nat, 1);
	if (ret >= 0)
		ret = in_use ? in_use(arg, r.name) : 0;
	if (ret == 0)
		ret = nl_link_set_group(&nl, r.name, (uint32_t)r.group);
	if (lock >= 0)
		close(lock);
out:
	nl_close(&nl);
	return ret < 0 ? ret : 0;
}

struct nat_port_walk {
	struct nat *nat;
	struct nl_sock nl;
	int err;
};

/* Flush: one attachment's bridge and port back as they were. */
static int nat_port_flush_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct nat_port_walk *w = arg;
	int ret;

	(void)group;
	(void)name;
	ret = nat_port_restore(w->nat, json_object_get(rec, "bridge"), NULL, NULL);
	if (ret < 0 && !w->err)
		w->err = ret; /* go on with the others, report the first */
	return 0;
}

/**
 * nat_port_flush() - give every bridge plumb did not make, that an
 * attachment's record says plumb adopted, its interface group back, and
 * each port its hairpin mode, as nat_port_restore() does for the last
 * attachment: after "plumb-nat flush" the host is as it was
 * @nat:	the handle
 *
 * A record of a plumb-nat older than these records' "bridge" key does not
 * say what the group was: its bridge is left in plumb's group. The records
 * stay, for nat_port_reconcile().
 *
 * Return: 0 or the first negative errno (logged); every record is tried.
 */
int nat_port_flush(struct nat *nat)
{
	struct nat_port_walk w = { .nat = nat };
	int ret;

	ret = state_record_for_each(nat->state_dir, NAT_CNI_KIND, NULL,
				    nat_port_flush_one, &w);
	return ret < 0 ? ret : w.err;
}

/* Reconcile: one attachment's bridge in plumb's group again, its port's hairpin. */
static int nat_port_reconcile_one(const char *group, const char *name, json_t *rec,
				  void *arg)
{
	const json_t *was = json_object_get(rec, "bridge");
	struct nat_port_walk *w = arg;
	struct nat_port_rec r;
	struct nl_link bridge;
	int ret;

	(void)group;
	(void)name;
	if (!was)
		return 0;
	ret = nat_port_rec_read(was, &r);
	if (ret == 0)
		ret = nl_link_get(&w->nl, r.name, &bridge);
	if (ret == -ENODEV || (ret == 0 && bridge_marked(&w->nl, &bridge)))
		return 0; /* gone, or plumb's own since */
	if (ret < 0 && ret != -EBADMSG)
		nl_err(&w->nl, ret, "look up %s", r.name);
	/* Only a bridge in the group it had: another group is another's choice. */
	if (ret == 0 && bridge.group == r.group && r.group != BRIDGE_GROUP)
		ret = nl_link_set_group(&w->nl, r.name, BRIDGE_GROUP);
	if (ret == 0 && r.hairpin_set)
		ret = nat_port_set_hairpin(&w->nl, &bridge, r.port, 1);
	if (ret < 0 && !w->err)
		w->err = ret;
	return 0;
}

/**
 * nat_port_reconcile() - make the bridges and ports the attachments'
 * records name plumb's again, as nat_port_adopt() made them, after
 * nat_port_flush() gave them back
 * @nat:	the handle
 *
 * Called once the table guards them again (their policy is in it). Under
 * the policy lock, so that a teardown cannot give a bridge its group back
 * between the reading of its record and the group set here.
 *
 * Return: 0 or the first negative errno (logged); every record is tried.
 */
int nat_port_reconcile(struct nat *nat)
{
	struct nat_port_walk w = { .nat = nat };
	int lock, ret;

	lock = nat_net_lock(nat, 0);
	if (lock == -ENOENT) /* nothing adopted: its policy would be there */
		return 0;
	if (lock < 0)
		return lock;
	ret = nl_open_netns(&w.nl, NETLINK_ROUTE, nat->netns_fd);
	if (ret < 0) {
		log_err(ret, "open rtnetlink socket");
		goto out;
	}
	ret = state_record_for_each(nat->state_dir, NAT_CNI_KIND, NULL,
				    nat_port_reconcile_one, &w);
	nl_close(&w.nl);
out:
	close(lock);
	return ret < 0 ? ret : w.err;
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
