// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_pub: published ports, as elements of the maps of plumb's table.
 *
 * Theory of operation: as every change of lib/nat.c (whose top comment
 * says how a change is recorded, checked and committed), plus what is
 * particular to ports: a port published on 127.0.0.1 too opens the
 * container's bridge to loopback addresses (route_localnet) behind the
 * guard, and after a port changes hands the conntrack entries of UDP
 * flows to it are deleted.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plumb/conntrack.h>
#include <plumb/fault.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/route.h>
#include <plumb/state.h>
#include <plumb/sysctl.h>

#include "nat_txn.h"

/*
 * A UDP flow has no end the kernel can see: its conntrack entry keeps steering
 * packets the old way for as long as the peer keeps sending. TCP and SCTP
 * connections to a port that changed hands end with a reset. So only UDP
 * entries are forgotten, as portmap does; it costs a walk of the whole
 * conntrack table (milliseconds, however empty), not worth paying for the
 * others.
 */
static void nat_conntrack_forget(struct nat *nat, const struct nat_pub *p)
{
	struct ct_match m = { .family = p->addr.family,
			      .proto = p->proto,
			      .port_min = p->port,
			      .port_max = p->port_end,
			      .daddr = p->host };

	if (p->proto != IPPROTO_UDP)
		return;
	/* Best effort: the mapping is right even when old flows linger. */
	if (conntrack_flush(&nat->nl, &m) < 0)
		log_warn("old flows to %s port %u may linger", nat_proto_name(p->proto),
			 p->port);
}

/**
 * nat_localhost_on() - let 127.0.0.1 reach a container's published port
 * @nat:	the handle
 * @p:		the mapping (its container address finds the bridge)
 *
 * 127.0.0.1 reaches the container only when its bridge takes 127.0.0.0/8
 * addresses (route_localnet); the guard's set gets the bridge first, so the
 * hole the setting opens is closed before it opens.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_localhost_on(struct nat *nat, const struct nat_pub *p)
{
	char key[64];
	struct nft_elem e = { .set = NFT_LOCALNET, .owner = "plumb" };
	struct nl_link link;
	struct nl_sock rt;
	int oif, ret;

	ret = nl_open_netns(&rt, NETLINK_ROUTE, nat->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	oif = nl_route_get_oif(&rt, &p->addr);
	ret = oif < 0 ? oif : nl_link_get_index(&rt, oif, &link);
	nl_close(&rt);
	if (ret < 0)
		return log_err(ret, "find the interface that leads to the container");
	memcpy(e.key, link.name, strlen(link.name));
	ret = nat_apply_add(nat, &e, 1, 0);
	if (ret < 0)
		return ret;
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", link.name);
	return sysctl_set(nat->netns_fd, key, "1");
}

/**
 * nat_publish() - publish host ports to a container
 * @nat:	the handle
 * @p:		the mapping
 * @owner:	who publishes (nat_owner_check())
 *
 * Publishing again what the owner has published is a no-op.
 *
 * Return: 0, -EADDRINUSE (logged, naming the holder) when a host port is
 * someone else's, or another negative errno (logged); on failure nothing
 * of this call's work remains.
 */
int nat_publish(struct nat *nat, const struct nat_pub *p, const char *owner)
{
	char name[NAT_NAME_MAX];
	struct nft_elem *e;
	json_t *rec;
	size_t n;
	int ret, fresh, added = 0;

	if (p->localhost && p->addr.family != AF_INET)
		return log_errx(-EINVAL, "publishing on localhost works for IPv4 only");
	e = calloc(2 * NAT_PORTS_MAX, sizeof(*e));
	rec = nat_pub_to_json(p);
	if (!e || !rec) {
		free(e);
		json_decref(rec);
		return log_err(-ENOMEM, "publish");
	}
	nat_pub_record_name(p, name, sizeof(name));
	fresh = ret = nat_record_intent(nat, owner, name, rec);
	fault_point("nat-recorded");
	n = nat_pub_elems(p, owner, e);
	if (ret >= 0)
		ret = nat_apply_add(nat, e, n, 1);
	added = ret == 0;
	if (added)
		fault_point("nft-committed");
	if (ret == 0 && p->localhost)
		ret = nat_localhost_on(nat, p);
	if (ret < 0 && added && fresh > 0)
		nat_apply_del(nat, e, n, owner); /* the transaction was ours */
	if (ret < 0 && fresh > 0)
		nat_record_del(nat, owner, name);
	if (ret == 0)
		nat_conntrack_forget(nat, p);
	free(e);
	json_decref(rec);
	return ret;
}

/*
 * The publocal4 elements that go with @n elements of pub4 or pubaddr4 (same
 * port, owner and container) are put at @out: a request to unpublish does
 * not say whether the mapping was also published on 127.0.0.1, the kernel
 * does. Returns how many, or -errno (logged).
 */
static int nat_local_find(struct nat *nat, const struct nft_elem *e, size_t n,
			  struct nft_elem *out)
{
	struct nft_elem cur, loc;
	size_t i, m = 0;
	int ret;

	for (i = 0; i < n; i++) {
		if (e[i].set != NFT_PUB4 && e[i].set != NFT_PUBADDR4)
			continue;
		cur = (struct nft_elem){ .set = e[i].set };
		memcpy(cur.key, e[i].key, sizeof(cur.key));
		loc = (struct nft_elem){ .set = NFT_PUBLOCAL4 };
		memcpy(loc.key, e[i].key + (e[i].set == NFT_PUBADDR4 ? 4 : 0), 8);
		ret = nft_elem_get(&nat->nl, &cur);
		if (ret > 0)
			ret = nft_elem_get(&nat->nl, &loc);
		if (ret < 0)
			return ret;
		if (ret > 0 && !strcmp(cur.owner, loc.owner) &&
		    !memcmp(cur.data, loc.data, nft_data_len(NFT_PUBLOCAL4)))
			out[m++] = loc;
	}
	return (int)m;
}

/**
 * nat_pub_del() - delete the elements of a mapping, and forget its flows
 * @nat:	the handle
 * @p:		the mapping
 * @owner:	refuse ports held by someone else, or NULL
 *
 * Its record is the caller's.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_pub_del(struct nat *nat, const struct nat_pub *p, const char *owner)
{
	struct nft_elem *e;
	size_t n;
	int ret;

	e = calloc(2 * NAT_PORTS_MAX, sizeof(*e));
	if (!e)
		return log_err(-ENOMEM, "unpublish");
	n = nat_pub_elems(p, owner ? owner : "", e);
	ret = p->localhost ? 0 : nat_local_find(nat, e, n, e + n);
	if (ret >= 0)
		ret = nat_apply_del(nat, e, n + (size_t)ret, owner);
	if (ret == 0)
		nat_conntrack_forget(nat, p);
	free(e);
	return ret;
}

/**
 * nat_pub_check_try() - tell whether a mapping is in place, as its owner made it
 * @nat:	the handle
 * @p:		the mapping
 * @owner:	its owner
 * @m:		what differs, or NULL
 *
 * Return: 0, -ENOENT (in @m, not logged: the first port missing or taken
 * over, named), or another negative errno (logged: the kernel's answer).
 */
int nat_pub_check_try(struct nat *nat, const struct nat_pub *p, const char *owner,
		      struct log_msg *m)
{
	struct nft_elem *e = calloc(2 * NAT_PORTS_MAX, sizeof(*e)), cur;
	char what[128], who[NAT_WHO_MAX];
	size_t i, n;
	int ret = 0;

	if (!e)
		return log_err(-ENOMEM, "check");
	n = nat_pub_elems(p, owner, e);
	for (i = 0; ret == 0 && i < n; i++) {
		cur = (struct nft_elem){ .set = e[i].set };
		memcpy(cur.key, e[i].key, sizeof(cur.key));
		ret = nft_elem_get(&nat->nl, &cur);
		if (ret < 0)
			break;
		nat_elem_what(&e[i], what, sizeof(what));
		if (ret == 0)
			ret = log_msg_errx(m, -ENOENT, "%s is not published", what);
		else if (strcmp(cur.owner, owner) ||
			 memcmp(cur.data, e[i].data, nft_data_len(e[i].set)))
			ret = log_msg_errx(m, -ENOENT, "%s is published otherwise, by %s",
					   what,
					   nat_owner_describe(cur.owner, who, sizeof(who)));
		else
			ret = 0;
	}
	free(e);
	return ret;
}

/**
 * nat_pub_check() - nat_pub_check_try(), saying what differs
 * @nat:	the handle
 * @p:		the mapping
 * @owner:	its owner
 *
 * Return: 0, or -ENOENT (logged, naming the first port missing or taken
 * over), or another negative errno (logged).
 */
int nat_pub_check(struct nat *nat, const struct nat_pub *p, const char *owner)
{
	struct log_msg m;
	int ret = nat_pub_check_try(nat, p, owner, &m);

	return ret == -ENOENT ? log_msg_report(&m) : ret;
}

struct nat_record_ref {
	char group[NFT_OWNER_MAX + 1];
	char name[NAT_NAME_MAX];
};

/* The records of the mappings that an unpublished range takes away. */
struct nat_covered {
	const struct nat_pub *p;
	struct nat_record_ref *v;
	size_t n;
	size_t cap;
};

static int nat_cover_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct nat_covered *c = arg;
	const struct nat_pub *p = c->p;
	char owner[NFT_OWNER_MAX + 1];
	const char *type = json_string_value(json_object_get(rec, "type"));
	struct nat_record_ref *v;
	struct nat_pub r;

	if (!type || strcmp(type, "publish") || nat_pub_from_json(rec, &r) < 0)
		return 0;
	if (r.proto != p->proto || r.addr.family != p->addr.family ||
	    inet_addr_cmp(&r.host, &p->host) || r.port_end < p->port ||
	    r.port > p->port_end)
		return 0;
	/* Half a record would bring the other half back at reconcile. */
	if (r.port < p->port || r.port_end > p->port_end) {
		nat_group_owner(group, owner, sizeof(owner));
		return log_errx(-EINVAL,
				"%s ports %u-%u were published together by %s: "
				"unpublish them together",
				nat_proto_name(r.proto), r.port, r.port_end, owner);
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		v = realloc(c->v, c->cap * sizeof(*v));
		if (!v)
			return log_err(-ENOMEM, "unpublish");
		c->v = v;
	}
	snprintf(c->v[c->n].group, sizeof(c->v[c->n].group), "%s", group);
	snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s", name);
	c->n++;
	return 0;
}

/**
 * nat_unpublish() - stop publishing host ports
 * @nat:	the handle
 * @p:		the mapping; only its host side (protocol, address, ports) counts
 * @owner:	refuse ports held by another, or NULL to take them from anyone
 *
 * Ports not published are no error: unpublishing twice succeeds. The
 * records of the mappings it takes away go too; part of a mapping
 * published as one range cannot be taken away alone.
 *
 * Return: 0, -EPERM (logged) when a port belongs to another owner, -EINVAL
 * (logged) when the range cuts through a mapping, or another negative
 * errno (logged).
 */
int nat_unpublish(struct nat *nat, const struct nat_pub *p, const char *owner)
{
	struct nat_covered c = { .p = p };
	char group[NFT_OWNER_MAX + 1];
	size_t i;
	int ret;

	if (owner)
		nat_owner_group(owner, group, sizeof(group));
	ret = state_record_for_each(nat->state_dir, NAT_KIND, owner ? group : NULL,
				    nat_cover_one, &c);
	if (ret == 0)
		ret = nat_pub_del(nat, p, owner);
	for (i = 0; ret == 0 && i < c.n; i++)
		state_record_del(nat->state_dir, NAT_KIND, c.v[i].group, c.v[i].name);
	free(c.v);
	return ret;
}
