// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach_del: undoing an attachment: its veth, its lease, its record, and
 * its network's policy after the last one.
 *
 * Theory of operation: attach_del() is idempotent: each step treats
 * "already gone" as done, and a step that fails keeps the record, so that a
 * later call finds what is left. It needs neither the container's namespace
 * nor the runtime: the record says what was made, and without one the host
 * veth's name is derived again (lib/attach_name.c).
 *
 * Which veth is ours: teardown finds the host end by its derived name, but
 * another device may hold that name (made by someone else, or by hand), and
 * it must never be deleted. So plumb marks its devices with something the
 * kernel sets in the very RTM_NEWLINK that creates them: their hardware
 * address. The host end's is derived from its name and its namespace under
 * the same key (bridge_mark_mac_keyed()) and is written to the record before
 * the veth is made. The alias "plumb" (IFLA_IFALIAS) marks it too, but the
 * kernel ignores an alias at creation: it follows in a second request, and
 * a process killed between the two (kill point "veth-born") leaves a veth
 * without it. Teardown therefore takes a veth with the alias or with the
 * address its record names (a veth of an earlier version has the address
 * that version recorded), or, without a record, the keyed mark derived
 * again. A device of the same name made by anyone else has neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <plumb/attach.h>
#include <plumb/fault.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/state.h>

#include "attach_del.h"

/**
 * attach_ipam_release() - release an attachment's lease
 * @a:		its network, id, ifname and data_dir
 *
 * Return: 0 (also when there is no store), or negative errno (logged).
 */
int attach_ipam_release(const struct attachment *a)
{
	char dir[PATH_MAX];
	struct ipam ipam;
	int ret;

	/* No store for the network: nothing to release, and none to create. */
	if (!*a->data_dir ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/%s", a->data_dir, a->network) >=
		    sizeof(dir) ||
	    access(dir, F_OK) < 0)
		return 0;
	ret = ipam_open(&ipam, a->data_dir, a->network);
	if (ret < 0)
		return ret;
	ret = ipam_lease_release(&ipam, a->id, a->ifname);
	ipam_close(&ipam);
	return ret < 0 ? ret : 0;
}

struct attach_use {
	const char *state_dir;
	const char *network;
};

/* Has the network a container left, plumb-bridge's or plumb-nat's? */
static int attach_network_in_use(void *arg)
{
	static const char *const kinds[] = { ATTACH_KIND, NAT_CNI_KIND, NULL };
	const struct attach_use *u = arg;

	return nat_net_in_use(u->state_dir, u->network, kinds);
}

/**
 * attach_policy_release() - after a network's last attachment went, the
 * policy it had as a container host's network goes too (nat_net_release())
 * @state_dir:	where records live
 * @network:	the network
 * @bridge:	its bridge, or NULL when not known
 * @host_netns_fd: the bridge's namespace, or -1 for ours
 *
 * Return: 0 or negative errno (logged).
 */
int attach_policy_release(const char *state_dir, const char *network, const char *bridge,
			  int host_netns_fd)
{
	struct attach_use u = { .state_dir = state_dir, .network = network };
	struct nat nat;
	int ret;

	ret = nat_open_netns(&nat, host_netns_fd);
	if (ret == 0)
		ret = nat_net_release(&nat, network, bridge, attach_network_in_use, &u);
	nat_close(&nat);
	return ret;
}

/*
 * The namespace the host veth is in: the one given, the record's, or ours
 * (*fd = -1). Return: 0, 1 when the record's namespace is gone (and the veth
 * with it), or negative errno.
 */
static int attach_host_netns_open(const struct attachment *a, int host_netns_fd, int *fd)
{
	*fd = -1;
	if (host_netns_fd < 0 && !*a->host_netns)
		return 0;
	if (host_netns_fd < 0 && access(a->host_netns, F_OK) < 0)
		return 1;
	if (host_netns_fd < 0) {
		*fd = netns_open_path(a->host_netns);
		return *fd < 0 ? *fd : 0;
	}
	/* Close-on-exec: the CNI front end runs a delegated IPAM plugin. */
	*fd = fcntl(host_netns_fd, F_DUPFD_CLOEXEC, 3);
	return *fd < 0 ? log_err(-errno, "duplicate the host namespace's descriptor") : 0;
}

/*
 * Delete the host veth: the record's, marked as the record says; or, with
 * @key and no record, the one whose name and mark derive from the
 * attachment under @key. Return: 0 or negative errno (logged).
 */
static int attach_veth_del(struct attachment *a, const uint8_t *key, int host_netns_fd)
{
	struct nl_sock nl;
	int fd, ret;

	ret = attach_host_netns_open(a, host_netns_fd, &fd);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	if (ret == 0) {
		if (key)
			bridge_mark_mac_keyed(&nl, key, a->host_veth, a->host_mac);
		ret = bridge_port_del(&nl, a->host_veth, a->host_mac);
		nl_close(&nl);
	} else {
		log_err(ret, "open rtnetlink socket");
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/**
 * attach_del() - undo an attachment: veth, lease, record
 * @state_dir:	where records live
 * @a:		network, id and ifname; data_dir and host_netns serve when no
 *		record is found; completed from the record when there is one
 * @host_netns_fd: the bridge's namespace, or -1 for the record's (or ours)
 *
 * Idempotent: a second call, or one after the container's namespace is
 * gone, succeeds and still releases the lease. When the lease cannot be
 * released (the store is refused), the record stays for a later call.
 * Without a record, the veth is found by the name the host's key derives;
 * without a key, no veth was ever named, and there is none to delete.
 *
 * Return: 0 or negative errno (logged).
 */
int attach_del(const char *state_dir, struct attachment *a, int host_netns_fd)
{
	uint8_t key[STATE_KEY_LEN];
	struct attachment rec;
	int fd, ret, have_record;

	ret = attach_record_read(state_dir, a->network, a->id, a->ifname, &rec);
	have_record = ret == 0;
	if (ret == 0) {
		*a = rec;
		ret = attach_veth_del(a, NULL, host_netns_fd);
	} else if (ret == -ENOENT) {
		ret = state_key_get(state_dir, 0, key);
		if (ret == 0) {
			attach_host_veth_name(key, a->network, a->id, a->ifname,
					      a->host_veth);
			ret = attach_veth_del(a, key, host_netns_fd);
		} else if (ret == -ENOENT) {
			ret = 0;
		}
	}
	if (ret < 0)
		return ret;
	fault_point("veth-deleted");
	/* A lease that stays keeps its record, so that a later del finds it. */
	ret = attach_ipam_release(a);
	if (ret < 0)
		return ret;
	fault_point("ipam-released");
	ret = attach_record_del(state_dir, a);
	if (ret == 0 && attach_host_netns_open(a, host_netns_fd, &fd) == 0) {
		ret = attach_policy_release(state_dir, a->network,
					    have_record ? a->bridge : NULL, fd);
		if (fd >= 0)
			close(fd);
	}
	return ret;
}
