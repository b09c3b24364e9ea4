// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-nat as a CNI plugin: a chained plugin in the manner of the reference
 * "portmap". It takes the "portMappings" capability (runtimeConfig
 * portMappings: hostPort, containerPort, protocol, hostIP), "ipMasq" and
 * "nonMasqueradeCIDRs" (destinations the network reaches without
 * masquerade, as ip-masq-agent's), finds the container's addresses in
 * prevResult and passes prevResult on.
 * As portmap's "snat" (true by default), IPv4 ports are also published on
 * 127.0.0.1, with plumb's guard, and the DNATed traffic of the container's
 * subnet is masqueraded, so that it reaches its own published port.
 *
 * Behind a bridge plugin other than plumb-bridge (the reference "bridge"),
 * plumb-nat gives the network what plumb-bridge gives its own: the
 * forwarding policy of plumb's keys "isolate" (true) and "directAccess"
 * (false), a way through other firewalls (plumb's interface group), and
 * hairpin mode on the container's port.
 *
 * The elements belong to the attachment ("network/id/ifname"), and a record
 * per attachment names that owner, so DEL needs neither prevResult nor the
 * port mappings again, and GC finds what is no longer wanted.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plumb/attach.h>
#include <plumb/cni.h>
#include <plumb/foreign.h>
#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

#include "nat.h"

struct pm_conf {
	int snat;
	int ip_masq;
	int has_no_masq;
	size_t n_no_masq;
	struct inet_prefix no_masq[NAT_NOMASQ_MAX]; /* "nonMasqueradeCIDRs" */
	json_t *mappings;
	struct nat_net policy; /* "isolate", "directAccess" */
	struct inet_addr addr[2]; /* the container's first IPv4 and IPv6 */
	struct inet_prefix subnet[2];
	char owner[NFT_OWNER_MAX + 1];
	char net[NFT_OWNER_MAX + 1];
};

/* An entry of prevResult's ips that belongs to the container's interface. */
static int pm_ip_ours(const struct cni_req *req, const json_t *ip)
{
	json_t *idx = json_member(ip, "interface"), *ifs, *iface;
	const char *name, *sandbox;

	if (!json_is_integer(idx))
		return 1;
	ifs = json_member(req->prev_result, "interfaces");
	iface = json_array_get(ifs, (size_t)json_integer_value(idx));
	if (!iface)
		return 1;
	name = json_string_value(json_member(iface, "name"));
	sandbox = json_string_value(json_member(iface, "sandbox"));
	return name && !strcmp(name, req->ifname) && sandbox && *sandbox;
}

static int pm_addrs(struct cni_req *req, struct pm_conf *c)
{
	json_t *ips = json_member(req->prev_result, "ips"), *ip;
	struct inet_prefix p;
	const char *s;
	size_t i;
	int k;

	json_array_foreach(ips, i, ip) {
		s = json_string_value(json_member(ip, "address"));
		if (!s || inet_prefix_parse(s, &p) < 0)
			return cni_fail(req, CNI_ERR_DECODE, 0,
					"prevResult: bad address in \"ips\"");
		k = p.addr.family == AF_INET6;
		if (c->addr[k].family || !pm_ip_ours(req, ip))
			continue;
		c->addr[k] = p.addr;
		c->subnet[k] = p;
		inet_prefix_mask(&c->subnet[k]);
	}
	return 0;
}

/*
 * Owners: the attachment's ports, and its network's masquerade. The owner
 * of ports already published is the one their record names: an earlier
 * version named attachments otherwise (nat_owner.c).
 */
static void pm_owners(const struct cni_req *req, struct pm_conf *c)
{
	const char *parts[] = { req->name, req->container_id, req->ifname }, *was;
	char name[256];
	json_t *rec;
	int err;

	nat_owner_make(NAT_OWNER_CNI, parts, 3, c->owner, sizeof(c->owner));
	nat_owner_network(req->name, c->net);
	snprintf(name, sizeof(name), "%s:%s", req->container_id, req->ifname);
	rec = state_record_read(STATE_DIR, NAT_CNI_KIND, req->name, name, &err);
	was = json_string_value(json_object_get(rec, "owner"));
	if (was && strlen(was) < sizeof(c->owner))
		snprintf(c->owner, sizeof(c->owner), "%s", was);
	json_decref(rec);
}

static int pm_conf_parse(struct cni_req *req, struct pm_conf *c)
{
	json_t *no_masq = json_member(req->conf, "nonMasqueradeCIDRs");
	int direct = 0;

	*c = (struct pm_conf){ .snat = 1,
			       .has_no_masq = no_masq && !json_is_null(no_masq),
			       .policy = { .made_by = "cni", .isolate = 1 } };
	req->code = CNI_ERR_CONFIG;
	if (json_get_bool(req->conf, "snat", &c->snat) < 0 ||
	    json_get_bool(req->conf, "ipMasq", &c->ip_masq) < 0 ||
	    json_get_bool(req->conf, "isolate", &c->policy.isolate) < 0 ||
	    json_get_bool(req->conf, "directAccess", &direct) < 0 ||
	    (c->has_no_masq && nat_nomasq_parse_json(no_masq, "nonMasqueradeCIDRs",
						     c->no_masq, &c->n_no_masq) < 0))
		return -EINVAL;
	c->mappings = cni_runtime_config(req, "portMappings");
	if (c->mappings && !json_is_array(c->mappings))
		return log_errx(-EINVAL,
				"invalid \"runtimeConfig.portMappings\": want an array");
	req->code = 0;
	c->policy.guard = !direct;
	pm_owners(req, c);
	return 0;
}

/* One entry of portMappings, for the container's address of one family. */
static int pm_mapping(struct cni_req *req, const json_t *m, size_t i,
		      const struct inet_addr *addr, int snat, struct nat_pub *p)
{
	long long host = 0, cont = 0;
	const char *proto = "tcp", *host_ip = "";
	char hspec[96], tspec[96], a[INET_ADDR_STRLEN];
	struct inet_addr hip = { 0 };
	int ret;

	req->code = CNI_ERR_CONFIG;
	if (json_get_int_try(m, "hostPort", 1, 65535, &host, NULL) <= 0 ||
	    json_get_int_try(m, "containerPort", 1, 65535, &cont, NULL) <= 0 ||
	    json_get_string_try(m, "protocol", &proto, NULL) < 0 ||
	    json_get_string_try(m, "hostIP", &host_ip, NULL) < 0)
		return log_errx(-EINVAL,
				"invalid \"runtimeConfig.portMappings[%zu]\": want "
				"hostPort and containerPort from 1 to 65535",
				i);
	if (*host_ip && inet_addr_parse(host_ip, &hip) < 0)
		return log_errx(-EINVAL,
				"invalid \"runtimeConfig.portMappings[%zu].hostIP\"", i);
	req->code = 0;
	/* A host address of the other family does not apply to this address. */
	if (hip.family && hip.family != addr->family)
		return 1;
	/* 0.0.0.0 and :: mean every host address. */
	if (hip.family && !memcmp(hip.b, (uint8_t[16]){ 0 }, inet_addr_bytes(&hip)))
		hip.family = 0;
	inet_addr_str(addr, a, sizeof(a));
	if (hip.family == AF_INET6)
		snprintf(hspec, sizeof(hspec), "[%s]:%lld/%s", host_ip, host, proto);
	else if (hip.family)
		snprintf(hspec, sizeof(hspec), "%s:%lld/%s", host_ip, host, proto);
	else
		snprintf(hspec, sizeof(hspec), "%lld/%s", host, proto);
	snprintf(tspec, sizeof(tspec), addr->family == AF_INET6 ? "[%s]:%lld" : "%s:%lld",
		 a, cont);
	ret = nat_pub_parse(hspec, tspec, p);
	if (ret < 0) {
		req->code = CNI_ERR_CONFIG;
		return ret;
	}
	p->localhost = snat && addr->family == AF_INET && !hip.family;
	return 0;
}

/* Call @fn for every mapping and family the container has an address of. */
static int pm_for_each(struct cni_req *req, struct pm_conf *c, struct nat *nat,
		       int (*fn)(struct nat *nat, const struct nat_pub *p,
				 const char *owner))
{
	struct nat_pub p;
	json_t *m;
	size_t i;
	int k, ret;

	json_array_foreach(c->mappings, i, m) {
		for (k = 0; k < 2; k++) {
			if (!c->addr[k].family)
				continue;
			ret = pm_mapping(req, m, i, &c->addr[k], c->snat, &p);
			if (ret > 0)
				continue;
			if (ret == 0)
				ret = fn(nat, &p, c->owner);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Nothing to do with a mapping but to have parsed it. */
static int pm_parsed(struct nat *nat, const struct nat_pub *p, const char *owner)
{
	(void)nat;
	(void)p;
	(void)owner;
	return 0;
}

/* A second ADD for a live attachment: refused, as its undoing would undo the first. */
static int pm_exists(struct cni_req *req)
{
	char name[256];
	json_t *rec;
	int err;

	snprintf(name, sizeof(name), "%s:%s", req->container_id, req->ifname);
	rec = state_record_read(STATE_DIR, NAT_CNI_KIND, req->name, name, &err);
	if (!rec)
		return err == -ENOENT ? 0 : err;
	json_decref(rec);
	return log_errx(-EEXIST,
			"container %s has %s in network %s already, with its ports; "
			"delete it first",
			req->container_id, req->ifname, req->name);
}

/*
 * Write the attachment's record, or delete it (@del). @port: the bridge
 * plumb did not make that the container is on, or NULL; the record keeps
 * what adopting it changes, as it was ("bridge"), to be put back.
 */
static int pm_record(const struct cni_req *req, const struct pm_conf *c,
		     const struct nat_port *port, int del)
{
	char name[256];
	json_t *rec;
	int ret;

	snprintf(name, sizeof(name), "%s:%s", req->container_id, req->ifname);
	if (del)
		return state_record_del(STATE_DIR, NAT_CNI_KIND, req->name, name);
	rec = json_pack("{s:s, s:s, s:s, s:o*}", "owner", c->owner, "id",
			req->container_id, "ifname", req->ifname, "bridge",
			port ? nat_port_was(port, json_array_size(c->mappings) > 0) :
			       NULL);
	ret = rec ? state_record_write(STATE_DIR, NAT_CNI_KIND, req->name, name, rec) :
		    -ENOMEM;
	json_decref(rec);
	return ret;
}

/* The attachment's record, or NULL (none, or logged). */
static json_t *pm_record_read(const struct cni_req *req)
{
	char name[256];
	int err;

	snprintf(name, sizeof(name), "%s:%s", req->container_id, req->ifname);
	return state_record_read(STATE_DIR, NAT_CNI_KIND, req->name, name, &err);
}

static int pm_on_bridge(const char *group, const char *name, json_t *rec, void *arg)
{
	const char *bridge = json_string_value(
		json_object_get(json_object_get(rec, "bridge"), "name"));

	(void)group;
	(void)name;
	return bridge && !strcmp(bridge, arg) ? -EEXIST : 0;
}

/* Is an attachment of plumb-nat's, of any network, on @bridge? 1, 0, -errno. */
static int pm_bridge_in_use(void *arg, const char *bridge)
{
	int ret;

	(void)arg;
	ret = state_record_for_each(STATE_DIR, NAT_CNI_KIND, NULL, pm_on_bridge,
				    (void *)bridge);
	return ret == -EEXIST ? 1 : ret;
}

/* The host side's interfaces of prevResult: those without a sandbox. */
static size_t pm_host_ifaces(const struct cni_req *req, const char **names)
{
	json_t *iface;
	const char *sandbox;
	size_t i, n = 0;

	json_array_foreach(json_member(req->prev_result, "interfaces"), i, iface) {
		sandbox = json_string_value(json_member(iface, "sandbox"));
		if ((!sandbox || !*sandbox) && n < NAT_PORT_NAMES &&
		    json_is_string(json_member(iface, "name")))
			names[n++] = json_string_value(json_member(iface, "name"));
	}
	return n;
}

/*
 * What the network needs of the bridge the previous plugin wired the
 * container to (@port, when there is one): the hairpin's masquerade
 * ("snat"), and when plumb did not make the bridge, the forwarding policy,
 * then plumb's group and hairpin mode: never a moment when other firewalls
 * let the bridge through to a table that does not guard it yet.
 */
static int pm_bridge(struct cni_req *req, struct pm_conf *c, struct nat *nat,
		     const struct nat_port *port)
{
	struct foreign_net net = { .network = req->name };
	struct inet_prefix subnets[2];
	int k, ports = json_array_size(c->mappings) > 0, ret = 0;

	for (k = 0; k < 2; k++) {
		if (!c->addr[k].family)
			continue;
		subnets[net.n_subnets++] = c->subnet[k];
		/* With ipMasq, the masquerade's own hairpin rule does it. */
		if (ret == 0 && c->snat && ports && !c->ip_masq)
			ret = nat_hairpin_add(nat, &c->subnet[k], req->name);
	}
	if (ret < 0 || !port)
		return ret;
	snprintf(c->policy.bridge, sizeof(c->policy.bridge), "%s", port->bridge.name);
	ret = nat_net_add(nat, &c->policy, req->name);
	if (ret == 0)
		ret = nat_port_adopt(nat, port, ports);
	net.bridge = port->bridge.name;
	net.subnets = subnets;
	return ret < 0 ? ret : foreign_admit(-1, &net, 1);
}

/* Has the network a container left, plumb-nat's or plumb-bridge's? */
static int pm_network_in_use(void *arg)
{
	static const char *const kinds[] = { NAT_CNI_KIND, ATTACH_KIND, NULL };
	const struct cni_req *req = arg;

	return nat_net_in_use(STATE_DIR, req->name, kinds);
}

/* The bridge plumb did not make, that this network's container is on. */
static int pm_port(struct cni_req *req, struct nat *nat, struct nat_port *port)
{
	const char *names[NAT_PORT_NAMES];
	int ret;

	ret = nat_port_find(nat, names, pm_host_ifaces(req, names), port);
	return ret < 0 ? ret : ret > 0 && !port->plumbs;
}

/* A failed ADD puts back what it changed of a bridge plumb did not make. */
static void pm_restore(struct nat *nat, const struct nat_port *port)
{
	json_t *was = nat_port_was(port, 0);

	if (was)
		nat_port_restore(nat, was, pm_bridge_in_use, NULL);
	json_decref(was);
}

static int pm_add(struct cni_req *req, json_t **result)
{
	struct nat nat = { 0 };
	struct nat_port port;
	struct pm_conf c;
	int owned, adopt = 0, ret;

	ret = pm_conf_parse(req, &c);
	if (ret < 0)
		return ret;
	if (!req->prev_result)
		return cni_fail(req, CNI_ERR_CONFIG, 0,
				"plumb-nat is a chained plugin: it "
				"needs a prevResult");
	ret = pm_addrs(req, &c);
	/* Bad input changes nothing: every mapping is checked first. */
	if (ret == 0)
		ret = pm_for_each(req, &c, NULL, pm_parsed);
	if (ret == 0)
		ret = nat_open(&nat, -1, STATE_DIR);
	if (ret == 0)
		ret = pm_port(req, &nat, &port);
	adopt = ret > 0;
	/* What belongs to the attachment, or keeps the network's policy alive. */
	owned = json_array_size(c.mappings) || c.ip_masq || c.has_no_masq || adopt;
	if (ret >= 0 && owned)
		ret = pm_exists(req);
	if (ret >= 0 && owned)
		ret = pm_record(req, &c, adopt ? &port : NULL, 0);
	if (ret < 0) {
		nat_close(&nat);
		return ret;
	}
	ret = pm_for_each(req, &c, &nat, nat_publish);
	/* The network's: its spared destinations, then its masquerade. */
	if (ret == 0)
		ret = nat_masq_add_each(&nat, c.subnet, 2, c.ip_masq,
					c.has_no_masq ? c.no_masq : NULL, c.n_no_masq, c.net);
	if (ret == 0)
		ret = pm_bridge(req, &c, &nat, adopt ? &port : NULL);
	if (ret < 0 && owned) { /* all or nothing */
		nat_owner_release(&nat, c.owner);
		pm_record(req, &c, NULL, 1);
		nat_net_release(&nat, req->name, NULL, pm_network_in_use, req);
		if (adopt)
			pm_restore(&nat, &port);
	}
	nat_close(&nat);
	if (ret == 0) {
		*result = json_deep_copy(req->prev_result);
		if (!*result)
			ret = log_err(-ENOMEM, "pass prevResult on");
	}
	return ret;
}

static int pm_del(struct cni_req *req)
{
	struct nat nat = { 0 };
	struct pm_conf c;
	json_t *rec = NULL;
	int ret;

	ret = pm_conf_parse(req, &c);
	if (ret == 0)
		ret = nat_open(&nat, -1, STATE_DIR);
	if (ret == 0) {
		rec = pm_record_read(req);
		ret = nat_owner_release(&nat, c.owner);
	}
	if (ret == 0)
		ret = pm_record(req, &c, NULL, 1);
	/* The last container of a network behind another bridge plugin. */
	if (ret == 0)
		ret = nat_net_release(&nat, req->name, NULL, pm_network_in_use, req);
	if (ret == 0)
		ret = nat_port_restore(&nat, json_object_get(rec, "bridge"),
				       pm_bridge_in_use, NULL);
	json_decref(rec);
	nat_close(&nat);
	return ret;
}

static int pm_check(struct cni_req *req)
{
	struct nat nat = { 0 };
	struct pm_conf c;
	int ret;

	ret = pm_conf_parse(req, &c);
	if (ret == 0 && !req->prev_result)
		return cni_fail(req, CNI_ERR_CONFIG, 0, "CHECK needs a prevResult");
	if (ret == 0)
		ret = pm_addrs(req, &c);
	if (ret == 0)
		ret = nat_open(&nat, -1, STATE_DIR);
	if (ret == 0)
		ret = pm_for_each(req, &c, &nat, nat_pub_check);
	/* The network's masquerade and the destinations it spares, as ADD made them. */
	if (ret == 0)
		ret = nat_masq_check_each(&nat, c.subnet, 2, c.ip_masq,
					  c.has_no_masq ? c.no_masq : NULL, c.n_no_masq,
					  c.net);
	nat_close(&nat);
	return ret;
}

struct pm_gc {
	struct cni_req *req;
	struct nat nat;
	int err;
};

static int pm_gc_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct pm_gc *g = arg;
	const char *owner = json_string_value(json_object_get(rec, "owner"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *ifname = json_string_value(json_object_get(rec, "ifname"));
	int ret;

	if (!owner || !id || !ifname)
		return 0;
	ret = cni_attachment_valid(g->req, id, ifname);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = nat_owner_release(&g->nat, owner);
	if (ret == 0)
		ret = state_record_del(STATE_DIR, NAT_CNI_KIND, group, name);
	if (ret == 0)
		ret = nat_port_restore(&g->nat, json_object_get(rec, "bridge"),
				       pm_bridge_in_use, NULL);
	if (ret < 0 && !g->err)
		g->err = ret;
	return 0;
}

static int pm_gc(struct cni_req *req)
{
	struct pm_gc g = { .req = req };
	int ret;

	ret = cni_attachment_valid(req, "", "");
	if (ret < 0)
		return ret;
	ret = nat_open(&g.nat, -1, STATE_DIR);
	if (ret == 0)
		ret = state_record_for_each(STATE_DIR, NAT_CNI_KIND, req->name, pm_gc_one,
					    &g);
	if (ret == 0)
		ret = nat_net_release(&g.nat, req->name, NULL, pm_network_in_use, req);
	nat_close(&g.nat);
	return ret < 0 ? ret : g.err;
}

static int pm_status(struct cni_req *req)
{
	struct nat nat = { 0 };
	uint32_t genid;
	int ret;

	ret = nat_open(&nat, -1, STATE_DIR);
	if (ret == 0)
		ret = nft_gen_get(&nat.nl, &genid);
	nat_close(&nat);
	if (ret < 0)
		return cni_fail(req, CNI_ERR_UNAVAILABLE, 0, "nftables is not usable");
	return 0;
}

static const struct cni_plugin plumb_nat = {
	.name = "the CNI plugin plumb-nat",
	.need = CAPS(CAP_NET_ADMIN),
	.netns_unused = 1,
	.add = pm_add,
	.del = pm_del,
	.check = pm_check,
	.gc = pm_gc,
	.status = pm_status,
};

/**
 * nat_cni_main() - serve a CNI invocation
 *
 * Return: the exit status.
 */
int nat_cni_main(void)
{
	return cni_serve(&plumb_nat, "plumb-nat", environ, STDIN_FILENO, stdout);
}
