// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * settings: the sysctls of a lab's namespaces, written under /proc/sys from
 * inside each (lib/sysctl.c), never with the sysctl program. A node asks
 * for them ("forward", "sysctl"); a namespace that masquerades or publishes
 * ports forwards IPv4 (and IPv6 when a masqueraded bridge there has an IPv6
 * subnet). The host is where plumb-lab runs and outlives the lab: the old
 * value of what the lab changes there goes into the lab's record first, and
 * "down" puts it back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>
#include <plumb/sysctl.h>

#include "run.h"
#include "settings.h"

#define FWD4 "net/ipv4/ip_forward"
#define FWD6 "net/ipv6/conf/all/forwarding"

/* What NAT in @node needs: bit 0 IPv4 forwarding, bit 1 IPv6. */
static int settings_nat_forward(const struct lab *lab, int node)
{
	int need = 0;
	size_t i;

	for (i = 0; i < lab->n_bridges; i++) {
		if (lab->bridges[i].node != node || !lab->bridges[i].masquerade)
			continue;
		need |= lab->bridges[i].sets[0].n ? 1 : 0;
		need |= lab->bridges[i].sets[1].n ? 2 : 0;
	}
	for (i = 0; i < lab->n_pubs; i++)
		need |= lab->pubs[i].node == node ? 1 : 0;
	return need;
}

/**
 * lab_settings_for_each() - call a function for each setting a namespace wants
 * @lab:	the topology
 * @node:	the node, or LAB_HOST
 * @fn:		called with each key and value, in the order they apply
 * @arg:	passed to @fn
 *
 * Return: 0 or what @fn returned when negative.
 */
int lab_settings_for_each(const struct lab *lab, int node,
			  int (*fn)(const char *key, const char *value, void *arg),
			  void *arg)
{
	const struct lab_node *n = node == LAB_HOST ? NULL : &lab->nodes[node];
	int need = settings_nat_forward(lab, node), ret = 0;
	size_t i;

	if (n && n->forward)
		need = 3;
	if (need & 1)
		ret = fn(FWD4, "1", arg);
	if (ret == 0 && (need & 2))
		ret = fn(FWD6, "1", arg);
	for (i = 0; n && i < n->n_sysctl && ret == 0; i++)
		ret = fn(n->sysctl[i].key, n->sysctl[i].value, arg);
	return ret;
}

/* Inside a namespace made just now: written, nothing read. */
static int settings_write_here(const char *key, const char *value, void *arg)
{
	(void)arg;
	return sysctl_set(-1, key, value);
}

/**
 * lab_settings_here() - the settings of a node, from inside its new namespace
 * @lab:	the topology
 * @node:	the node, whose namespace the thread is in
 *
 * Its interfaces skip duplicate address detection, as the addresses plumb
 * adds do: in a lab nothing else claims them, and a router whose link-local
 * address is still tentative sends no neighbour solicitation (ndisc_send_ns()
 * gives up without a usable source), so it would not forward for a second.
 * A setting of the file's comes after, and may turn it on again.
 *
 * Return: 0 or negative errno (logged).
 */
int lab_settings_here(const struct lab *lab, int node)
{
	int ret = sysctl_set(-1, "net/ipv6/conf/all/accept_dad", "0");

	if (ret == 0)
		ret = sysctl_set(-1, "net/ipv6/conf/default/accept_dad", "0");
	return ret < 0 ? ret : lab_settings_for_each(lab, node, settings_write_here, NULL);
}

struct settings_ctx {
	struct lab_run *run;
	struct lab_ns *ns;
};

static int settings_one(const char *key, const char *value, void *arg)
{
	struct settings_ctx *c = arg;
	char have[128];
	int ret;

	ret = sysctl_get(c->ns->fd, key, have, sizeof(have));
	if (ret < 0 || !strcmp(have, value))
		return ret;
	ret = run_ns_drift(c->run, c->ns, "%s is %s, not %s", key, have, value);
	if (ret < 0 || c->run->check)
		return ret;
	return sysctl_set(c->ns->fd, key, value);
}

/**
 * lab_settings() - the settings of the nodes whose namespaces were there
 * @run:	the run; with @run->check, only compared
 *
 * Return: 0 or negative errno (logged).
 */
int lab_settings(struct lab_run *run)
{
	struct settings_ctx c = { .run = run };
	size_t i;
	int ret = 0;

	for (i = 0; i < run->lab->n_nodes && ret == 0; i++) {
		c.ns = &run->ns[i];
		if (c.ns->state == LAB_NS_OURS)
			ret = lab_settings_for_each(run->lab, (int)i, settings_one, &c);
	}
	return ret;
}

struct settings_host {
	struct lab_run *run;
	json_t *saved;
};

static int settings_host_plan(const char *key, const char *value, void *arg)
{
	struct settings_host *h = arg;
	char have[128];
	int ret;

	ret = sysctl_get(-1, key, have, sizeof(have));
	if (ret < 0 || !strcmp(have, value))
		return ret;
	ret = run_ns_drift(h->run, &h->run->host, "%s is %s, not %s", key, have, value);
	if (ret == 0 && h->saved && !json_object_get(h->saved, key) &&
	    json_object_set_new(h->saved, key, json_string(have)) < 0)
		ret = log_err(-ENOMEM, "record %s", key);
	return ret;
}

/**
 * lab_host_settings_plan() - note the host settings "up" will change
 * @run:	the run
 * @saved:	the record's "host_sysctl": the old value of each setting to
 *		change is added, unless the lab changed it already; NULL to
 *		only say what differs
 *
 * Return: 0 or negative errno (logged).
 */
int lab_host_settings_plan(struct lab_run *run, json_t *saved)
{
	struct settings_host h = { .run = run, .saved = saved };

	return lab_settings_for_each(run->lab, LAB_HOST, settings_host_plan, &h);
}

static int settings_host_set(const char *key, const char *value, void *arg)
{
	(void)arg;
	return sysctl_set(-1, key, value);
}

/**
 * lab_host_settings() - change the host settings the lab needs
 * @run:	the run
 *
 * Return: 0 or negative errno (logged).
 */
int lab_host_settings(struct lab_run *run)
{
	return lab_settings_for_each(run->lab, LAB_HOST, settings_host_set, NULL);
}
