// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-netns as a CNI plugin: the loopback plugin. ADD brings "lo" up in
 * CNI_NETNS and reports its addresses; DEL succeeds whether or not the
 * namespace still exists; CHECK verifies that "lo" is up.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <unistd.h>

#include <plumb/addr.h>
#include <plumb/cni.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>

#include "netns.h"

static int lo_ip_add(const struct inet_prefix *p, void *arg)
{
	char buf[INET_PREFIX_STRLEN];

	return json_array_append_new(arg, json_pack("{s:s, s:i}", "address",
						    inet_prefix_str(p, buf, sizeof(buf)),
						    "interface", 0));
}

static int lo_add(struct cni_req *req, json_t **result)
{
	struct nl_link lo;
	struct nl_sock nl;
	json_t *ips;
	int ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, req->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in %s", req->netns);
	ret = nl_link_set_up(&nl, "lo");
	if (ret < 0)
		goto out;
	ret = nl_link_get(&nl, "lo", &lo);
	if (ret < 0) {
		nl_err(&nl, ret, "look up lo in %s", req->netns);
		goto out;
	}
	ips = json_array();
	*result = json_pack("{s:[{s:s, s:s, s:s}], s:o, s:{}}", "interfaces", "name",
			    "lo", "mac", "00:00:00:00:00:00", "sandbox", req->netns,
			    "ips", ips, "dns");
	if (!*result) {
		ret = log_err(-ENOMEM, "build result");
		goto out;
	}
	ret = nl_addr_for_each(&nl, AF_UNSPEC, lo.index, lo_ip_add, ips);
	if (ret < 0)
		nl_err(&nl, ret, "list addresses of lo in %s", req->netns);
out:
	nl_close(&nl);
	return ret;
}

static int lo_check(struct cni_req *req)
{
	struct nl_link lo;
	struct nl_sock nl;
	int ret;

	ret = nl_open_netns(&nl, NETLINK_ROUTE, req->netns_fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in %s", req->netns);
	ret = nl_link_get(&nl, "lo", &lo);
	nl_close(&nl);
	if (ret < 0)
		return log_err(ret, "look up lo in %s", req->netns);
	if (!(lo.flags & IFF_UP))
		return log_errx(-ENETDOWN, "lo in %s is down", req->netns);
	return 0;
}

static const struct cni_plugin loopback = {
	.name = "the CNI loopback plugin",
	.need = CAPS(CAP_SYS_ADMIN, CAP_NET_ADMIN),
	/* To open CNI_NETNS as /proc/PID/ns/net of a process with other caps. */
	.keep = CAPS(CAP_SYS_PTRACE),
	.add = lo_add,
	.check = lo_check,
	/*
	 * DEL leaves lo as it is: the namespace is about to go, and a lo
	 * brought down in one that stays would break whatever else uses it.
	 */
};

int netns_cni_main(void)
{
	return cni_serve(&loopback, "plumb-netns", environ, STDIN_FILENO, stdout);
}
