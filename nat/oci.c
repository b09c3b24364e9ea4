// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-nat oci-hook create|delete [--masquerade] [--no-masquerade-to CIDR]...
 * [--publish SPEC]... [--network N] [--ifname IF] [--localhost]
 * [--policy FILE]: the OCI runtime hook.
 *
 * The container's address comes from the record "plumb-bridge oci-hook
 * create" wrote for the same container id, so this hook runs after it;
 * without --network or plumb.network, in whatever network it is. The
 * options are the administrator's; the annotations plumb.network,
 * plumb.publish (comma-separated specifications) and plumb.masquerade (true
 * or false) are the container creator's, and win over them only within the
 * administrator's policy (lib/policy.c): a declared network, the host ports
 * and count it allows, masquerade only where it allows it. Published ports
 * belong to the container ("container@ID"); the masquerade of the subnet
 * belongs to the network ("network@NAME"), as other containers share it,
 * and so do the destinations --no-masquerade-to spares from it (the CNI
 * key nonMasqueradeCIDRs): the administrator's alone, as they are the
 * network's peers for the direct-access guard too, so no annotation names
 * them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/attach.h>
#include <plumb/bridge.h>
#include <plumb/log.h>
#include <plumb/name.h>
#include <plumb/oci.h>
#include <plumb/policy.h>
#include <plumb/state.h>

#include "nat.h"

#define HOOK_PUBLISH_MAX POLICY_PUBLISH_SPECS

struct hook {
	const char *policy;
	const char *network;
	int network_given; /* by --network */
	int looked; /* for the record in every network, and found none */
	const char *ifname;
	int masquerade;
	int has_no_masq; /* --no-masquerade-to given */
	size_t n_no_masq;
	struct inet_prefix no_masq[NAT_NOMASQ_MAX];
	int localhost;
	const char *publish[HOOK_PUBLISH_MAX];
	size_t n_publish;
	int publish_annotated; /* @publish is plumb.publish's, not the options' */
	char annotated[1024]; /* plumb.publish, cut at its commas */
	struct policy_net net; /* the network the annotations chose */
};

static const struct option hook_options[] = {
	{ "masquerade", no_argument, NULL, 'm' },
	{ "no-masquerade-to", required_argument, NULL, 'n' },
	{ "publish", required_argument, NULL, 'p' },
	{ "network", required_argument, NULL, 'w' },
	{ "ifname", required_argument, NULL, 'f' },
	{ "localhost", no_argument, NULL, 'l' },
	{ "policy", required_argument, NULL, 'P' },
	{ 0 },
};

/* Return: 0, -E2BIG for a usage error, or -EINVAL (logged) for a bad CIDR. */
static int hook_args(struct hook *h, int argc, char **argv)
{
	int c, bad = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", hook_options, NULL)) != -1) {
		if (c == 'm')
			h->masquerade = 1;
		else if (c == 'n') {
			h->has_no_masq = 1;
			if (!bad && nat_nomasq_parse(optarg, h->no_masq, &h->n_no_masq) < 0)
				bad = 1;
		}
		else if (c == 'l')
			h->localhost = 1;
		else if (c == 'w')
			h->network = optarg;
		else if (c == 'f')
			h->ifname = optarg;
		else if (c == 'P')
			h->policy = optarg;
		else if (c == 'p' && h->n_publish < HOOK_PUBLISH_MAX)
			h->publish[h->n_publish++] = optarg;
		else
			return -E2BIG;
	}
	h->network_given = h->network != NULL;
	if (!h->network)
		h->network = BRIDGE_DEFAULT;
	if (optind != argc)
		return -E2BIG;
	return bad ? -EINVAL : 0;
}

/*
 * The network the annotations chose, within the administrator's policy, and
 * what they chose there, checked (lib/policy_check.c).
 */
static int hook_policy(struct hook *h, const struct oci_state *s, struct policy_choice *c)
{
	struct policy p;
	int ret;

	ret = policy_load(&p, h->policy);
	if (ret == 0)
		ret = policy_hook_net(&p, h->network, h->network, NULL, NULL, 0);
	if (ret == 0)
		ret = policy_check(&p, s, &h->net, c);
	h->net.conf = NULL; /* it lives in @p */
	policy_free(&p);
	if (ret == 0)
		h->network = h->net.name;
	return ret;
}

/*
 * No network named: the one plumb-bridge's create hook put the container in,
 * as its record says. Then that network is the hook's own, and the policy
 * is that network's. None is no error here: create says so, delete has
 * nothing to find.
 */
static int hook_find(struct hook *h, const struct oci_state *s, struct attachment *a)
{
	struct log_msg m;
	int ret;

	if (h->network_given || oci_annotation(s, "plumb.network"))
		return 0;
	ret = attach_find_try(STATE_DIR, s->id, h->ifname, a, &m);
	if (ret == -EEXIST)
		return log_errx(ret, "%s: say which with --network", m.text);
	if (ret == 0)
		h->network = a->network;
	h->looked = ret == -ENOENT;
	return ret == -ENOENT ? 0 : ret;
}

static int hook_annotations(struct hook *h, const struct oci_state *s,
			    enum oci_stage stage, struct attachment *found)
{
	struct policy_choice c;
	char *spec, *save = NULL;
	struct log_msg m;
	const char *v;

	if (name_check("network name", h->network) < 0 ||
	    nl_link_name_check(h->ifname) < 0)
		return -EINVAL;
	if (hook_find(h, s, found) < 0)
		return -EINVAL;
	if (stage == OCI_DELETE) { /* teardown finishes, whatever the policy says */
		v = oci_annotation(s, "plumb.network");
		if (v && name_check_try("network name", v, &m) < 0)
			return oci_annotation_report("plumb.network", &m);
		if (v)
			h->network = v;
		return 0;
	}
	if (hook_policy(h, s, &c) < 0)
		return -EPERM;
	if (c.masquerade >= 0)
		h->masquerade = c.masquerade;
	if (!c.publish)
		return 0;
	/* Checked: it fits, and has at most HOOK_PUBLISH_MAX specifications. */
	snprintf(h->annotated, sizeof(h->annotated), "%s", c.publish);
	h->n_publish = 0; /* the annotation replaces the options */
	h->publish_annotated = 1;
	for (spec = strtok_r(h->annotated, ",", &save);
	     spec && h->n_publish < HOOK_PUBLISH_MAX; spec = strtok_r(NULL, ",", &save))
		h->publish[h->n_publish++] = spec;
	return 0;
}

/* Owners: the container's ports, and its network's masquerade. */
static void hook_owners(const struct hook *h, const struct oci_state *s,
			char owner[NFT_OWNER_MAX + 1], char net[NFT_OWNER_MAX + 1])
{
	nat_owner_container(s->id, owner);
	nat_owner_network(h->network, net);
}

static int hook_create(struct nat *nat, const struct hook *h, const struct oci_state *s)
{
	char owner[NFT_OWNER_MAX + 1], net[NFT_OWNER_MAX + 1];
	struct attachment a;
	struct log_msg m;
	struct nat_pub p;
	size_t i;
	int ret;

	ret = attach_record_read(STATE_DIR, h->network, s->id, h->ifname, &a);
	if (ret < 0)
		return log_err(ret,
			       "find the address of container %s in %s%s (does "
			       "plumb-bridge oci-hook create run before this hook?)",
			       s->id, h->looked ? "any network" : "network ",
			       h->looked ? "" : h->network);
	hook_owners(h, s, owner, net);
	/* Undoing a failed create must not undo a live container's ports. */
	ret = nat_owner_holds(nat, owner);
	if (ret > 0)
		return log_errx(-EEXIST,
				"container %s has published ports already (its "
				"poststop hook has not run)",
				s->id);
	for (i = 0; ret == 0 && i < h->n_publish; i++) {
		ret = nat_pub_parse_short_try(h->publish[i], a.ip, a.n_ip, &p, &m);
		if (ret < 0)
			ret = h->publish_annotated ?
				      oci_annotation_report("plumb.publish", &m) :
				      log_msg_report(&m);
		p.localhost = h->localhost && p.addr.family == AF_INET;
		if (ret == 0)
			ret = nat_publish(nat, &p, owner);
	}
	/* The network's: its spared destinations, then its masquerade. */
	if (ret == 0 && (h->masquerade || h->has_no_masq))
		ret = nat_masq_add_each(nat, a.ip, a.n_ip, h->masquerade,
					h->has_no_masq ? h->no_masq : NULL, h->n_no_masq,
					net);
	if (ret < 0)
		nat_owner_release(nat, owner); /* all or nothing */
	return ret;
}

/*
 * The container's ports; and those it published before an upgrade, under
 * its bare id (nat_owner.c), which a person's --id may share, or under the
 * earlier hash of a long id, which a container named by that hash shares:
 * only those to the container's own addresses, which its attachment's
 * record still names (plumb-bridge's delete hook runs after this one).
 */
static int hook_delete(struct nat *nat, const struct hook *h, const struct oci_state *s)
{
	char owner[NFT_OWNER_MAX + 1], net[NFT_OWNER_MAX + 1], old[NFT_OWNER_MAX + 1];
	struct attachment a;
	int ret;

	hook_owners(h, s, owner, net);
	ret = nat_owner_release(nat, owner);
	if (ret < 0)
		return ret;
	ret = attach_record_read(STATE_DIR, h->network, s->id, h->ifname, &a);
	if (ret < 0) {
		if (nat_owner_holds(nat, s->id) > 0)
			log_warn("container %s has no record in network %s any more, so "
				 "the ports published under \"%s\" by an earlier version "
				 "stay; plumb-nat unpublish --id %s removes them",
				 s->id, h->network, s->id, s->id);
		return 0;
	}
	if (nat_owner_make_earlier(NAT_OWNER_CONTAINER, (const char *const[]){ s->id }, 1,
				   old, sizeof(old))) {
		ret = nat_owner_release_to(nat, old, a.ip, a.n_ip);
		if (ret < 0)
			return ret;
	}
	return nat_owner_release_to(nat, s->id, a.ip, a.n_ip);
}

int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hook h = { .ifname = "eth0" };
	struct attachment found; /* h.network may be its */
	enum oci_stage stage;
	struct oci_state s;
	struct nat nat;
	int ret;

	if (argc < 2)
		return cmd_usage(argv[0], CMD_USAGE);
	if (oci_stage_parse(argv[1], &stage) < 0)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = hook_args(&h, argc - 1, argv + 1);
	if (ret == -EINVAL)
		return CMD_FAILED;
	if (ret < 0)
		return cmd_usage(argv[0], CMD_USAGE);
	if (oci_state_read(STDIN_FILENO, stage, &s) < 0)
		return CMD_FAILED;
	ret = hook_annotations(&h, &s, stage, &found);
	if (ret == 0 && (name_check("network name", h.network) < 0 ||
			 nl_link_name_check(h.ifname) < 0))
		ret = -EINVAL;
	if (ret == 0)
		ret = verb_begin(ctx, &nat);
	if (ret == 0) {
		ret = stage == OCI_CREATE ? hook_create(&nat, &h, &s) :
					    hook_delete(&nat, &h, &s);
		verb_end(&nat);
	}
	oci_state_free(&s);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
