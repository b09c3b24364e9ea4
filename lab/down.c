// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-lab down: everything a lab made, removed, from its record alone.
 *
 * Theory of operation: deleting veths one by one is slow (each deletion
 * waits for an RCU grace period: 20 ms apiece here), while the kernel takes
 * down every device of the namespaces that die together in one batch
 * (cleanup_net()). So the lab's NAT elements in the host go first (and
 * plumb's table when nothing else is in it), the host settings it changed
 * come back to their old values, its bridges in the host go (their ports,
 * plain veths then, go faster), and its namespaces are unmounted; the host
 * ends of their veths, which die with them, are waited for: a socket
 * subscribed to link events before the first unmount hears each go. The
 * host ends of a namespace that a process still holds, which would not die,
 * are deleted before its unmount, as is anything still there at the
 * deadline. Last the lab's state (leases, records) is removed.
 * Every step treats "already gone" as done: down twice succeeds, and so
 * does a down after a killed up.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include <plumb/attach.h>
#include <plumb/bridge.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/nft.h>
#include <plumb/state.h>
#include <plumb/sysctl.h>

#include "batch.h"
#include "down.h"
#include "hosts.h"
#include "nat.h"
#include "record.h"
#include "timing.h"

#define DOWN_WAIT_MS 10000 /* for the kernel to take a namespace's devices down */
#define DOWN_DUMP_TRIES 100 /* looks at the host's interfaces while they change */
#define DOWN_VETHS 1
#define DOWN_BRIDGES 2

/**
 * struct down_ctx - one lab being taken down
 * @name:	the lab
 * @alias:	its mark, "plumb-lab:<name>"
 * @nl:		rtnetlink socket of the host
 * @watch:	the host's link events
 * @what:	what @left counts of the lab's: DOWN_VETHS, DOWN_BRIDGES or both
 * @n_left:	host interfaces of the lab's still there
 * @left:	their names
 * @lab:	the topology of the record, for the host ends of its ports
 * @parsed:	@lab could be read
 */
struct down_ctx {
	const char *name;
	char alias[sizeof(LAB_ALIAS) + LAB_NAME_MAX];
	struct nl_sock nl;
	struct nl_sock watch;
	int what;
	size_t n_left;
	char (*left)[IF_NAMESIZE];
	struct lab lab;
	int parsed;
};

static int down_left_add(const struct nl_link *l, void *arg)
{
	struct down_ctx *d = arg;
	char(*grown)[IF_NAMESIZE];
	uint8_t mark[6];

	bridge_mark_mac_of(&d->nl, d->alias, l->name, mark);
	if ((strcmp(l->alias, d->alias) && memcmp(l->mac, mark, 6)) ||
	    !(d->what & (strcmp(l->kind, "bridge") ? DOWN_VETHS : DOWN_BRIDGES)))
		return 0;
	grown = realloc(d->left, (d->n_left + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	d->left = grown;
	memcpy(d->left[d->n_left++], l->name, IF_NAMESIZE);
	return 0;
}

/*
 * The lab's interfaces in the host, as they are now: @what of them. A dump
 * that the kernel's teardown changed under (NLM_F_DUMP_INTR: EINTR) is
 * taken again, on the same socket: nl_wait_feed() read the interrupted one
 * to its end, so none of it is left to answer the next.
 */
static int down_left_read(struct down_ctx *d, int what)
{
	int tries = 0, ret;

	do {
		free(d->left);
		d->left = NULL;
		d->n_left = 0;
		d->what = what;
		ret = nl_link_for_each(&d->nl, down_left_add, d);
	} while (ret == -EINTR && ++tries < DOWN_DUMP_TRIES);
	return ret < 0 ? nl_err(&d->nl, ret, "list interfaces") : 0;
}

static int down_event(const struct nlmsghdr *nlh, void *data)
{
	struct down_ctx *d = data;
	struct nl_link l;
	size_t i;

	/* A bridge port's removal says RTM_DELLINK too, for AF_BRIDGE. */
	if (nlh->nlmsg_type != RTM_DELLINK || nl_link_parse(nlh, &l) < 0 ||
	    ((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family != AF_UNSPEC)
		return MNL_CB_OK;
	for (i = 0; i < d->n_left; i++) {
		if (!strcmp(d->left[i], l.name)) {
			memcpy(d->left[i], d->left[--d->n_left], IF_NAMESIZE);
			break;
		}
	}
	return MNL_CB_OK;
}

static long down_ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * After events were lost (ENOBUFS): empty the socket before looking again.
 * The kernel reports an overrun once, and drops what follows without a
 * word until the socket's queue has been emptied (netlink_overrun(),
 * NETLINK_S_CONGESTED): a look taken before that could miss a veth's going
 * for good, and the wait would last until its deadline.
 */
static int down_drain(struct down_ctx *d, char *buf, size_t size)
{
	int fd = mnl_socket_get_fd(d->watch.mnl);

	while (recv(fd, buf, size, MSG_DONTWAIT) >= 0 || errno == ENOBUFS || errno == EINTR)
		;
	return errno == EAGAIN ? down_left_read(d, DOWN_VETHS) : -errno;
}

/* Until the lab's veths in the host are gone with their namespaces. */
static int down_wait(struct down_ctx *d)
{
	char buf[NL_RECV_SIZE] __attribute__((aligned(8)));
	struct pollfd p = { .fd = mnl_socket_get_fd(d->watch.mnl), .events = POLLIN };
	struct timespec deadline;
	ssize_t n;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += DOWN_WAIT_MS / 1000;
	ret = down_left_read(d, DOWN_VETHS);
	while (ret == 0 && d->n_left && down_ms_left(&deadline) > 0) {
		ret = poll(&p, 1, (int)down_ms_left(&deadline));
		if (ret <= 0) {
			ret = ret < 0 && errno != EINTR ? -errno : 0;
			continue;
		}
		n = recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) /* events lost: look again */
			ret = down_drain(d, buf, sizeof(buf));
		else if (n > 0)
			ret = mnl_cb_run(buf, (size_t)n, 0, 0, down_event, d) < 0 ? -errno : 0;
		else
			ret = n < 0 && errno != EAGAIN && errno != EINTR ? -errno : 0;
	}
	return ret < 0 ? log_err(ret, "wait for the lab's interfaces to go") : 0;
}

/*
 * The lab's devices of @what in the host: its bridges first (their ports,
 * plain veths then, go faster with their namespaces), then the veths still
 * there (held by a process, or late), one by one: they are few, and one
 * that goes by itself meanwhile is no error.
 */
static int down_host_del(struct down_ctx *d, int what)
{
	size_t i;
	int ret;

	ret = down_left_read(d, what);
	for (i = 0; ret == 0 && i < d->n_left; i++) {
		ret = nl_link_del(&d->nl, d->left[i]);
		ret = ret == -ENODEV ? 0 : ret;
	}
	return ret;
}

struct down_others {
	const char *lab;
	json_t *ns;
};

static int down_others_add(const char *name, json_t *rec, void *arg)
{
	struct down_others *o = arg;
	json_t *v;
	size_t i;

	if (!strcmp(name, o->lab))
		return 0;
	json_array_foreach(json_object_get(rec, "namespaces"), i, v) {
		if (json_is_string(v) &&
		    json_object_set_new(o->ns, json_string_value(v), json_string(name)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/**
 * lab_netns_others() - the namespaces other labs' records name
 * @lab:	this lab's name
 *
 * Return: an object of namespace names (to the lab that has each), or NULL
 * (logged) when out of memory.
 */
json_t *lab_netns_others(const char *lab)
{
	struct down_others o = { .lab = lab, .ns = json_object() };

	if (!o.ns || lab_record_for_each(down_others_add, &o) < 0) {
		json_decref(o.ns);
		log_err(-ENOMEM, "read the labs' records");
		return NULL;
	}
	return o.ns;
}

/**
 * lab_netns_del() - delete one of a lab's namespaces
 * @lab:	the lab's name
 * @ns:		the namespace
 * @others:	the namespaces of other labs (lab_netns_others()): one that
 *		another lab names (made again under this name) is left alone
 *
 * Return: 0 (also when it is gone) or negative errno (logged).
 */
int lab_netns_del(const char *lab, const char *ns, const json_t *others)
{
	const char *owner = json_string_value(json_object_get(others, ns));
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", ns);
	if (access(path, F_OK) < 0)
		return 0; /* gone, or never made: netns_del() would say so */
	if (owner) {
		log_warn("%s is lab %s's now, not lab %s's; leaving it", ns, owner, lab);
		return 0;
	}
	ret = netns_del(ns);
	return ret == -ENOENT ? 0 : ret;
}

/* The host's NAT of the lab's, and plumb's table when nothing else uses it. */
static int down_nat(struct down_ctx *d)
{
	char owner[NFT_OWNER_MAX + 1];
	struct nat nat;
	int ret;

	lab_nat_owner(d->name, owner, sizeof(owner));
	ret = nat_open(&nat, -1, STATE_DIR);
	if (ret < 0)
		return ret;
	ret = nat_owner_release(&nat, owner);
	if (ret == 0)
		ret = nft_table_del_unused(&nat.nl);
	nat_close(&nat);
	/* As plumb-nat's records left it: no directory of records when none. */
	if (ret >= 0)
		rmdir(STATE_DIR "/nat");
	return ret < 0 ? ret : 0;
}

struct down_heir {
	const char *name;
	json_t *heir;
};

static int down_heir_find(const char *name, json_t *rec, void *arg)
{
	struct down_heir *h = arg;

	if (strcmp(name, h->name) && json_is_true(json_object_get(rec, "host_nat"))) {
		h->heir = json_incref(rec);
		return -1; /* found */
	}
	return 0;
}

static int down_attached_here(const struct attachment *a, void *arg)
{
	(void)arg;
	return *a->host_netns ? 0 : -1; /* a bridge of plumb-bridge's in the host */
}

/*
 * The host settings the lab changed, back to their old values; unless
 * another user of the host's forwarding is left: another lab (which then
 * inherits the old values, and puts them back when it goes) or plumb-bridge's
 * attachments.
 */
static int down_settings(const char *name, const json_t *rec)
{
	struct down_heir h = { .name = name };
	json_t *saved = json_object_get(rec, "host_sysctl"), *v, *keep;
	const char *key;
	int ret = 0;

	if (!json_object_size(saved))
		return 0;
	lab_record_for_each(down_heir_find, &h);
	if (h.heir) {
		keep = json_object_get(h.heir, "host_sysctl");
		json_object_foreach(saved, key, v) {
			if (json_is_object(keep) && !json_object_get(keep, key))
				json_object_set(keep, key, v);
		}
		ret = lab_record_write(h.heir);
		json_decref(h.heir);
		return ret;
	}
	if (attach_for_each(STATE_DIR, NULL, down_attached_here, NULL) == -1) {
		log_warn("plumb-bridge's attachments in the host forward: the host's "
			 "settings stay as they are");
		return 0;
	}
	json_object_foreach(saved, key, v) {
		if (json_is_string(v) && ret == 0)
			ret = sysctl_set(-1, key, json_string_value(v));
	}
	return ret;
}

/**
 * struct down_held - the lab's namespaces, and which a process holds
 * @n:		namespaces
 * @dev:	the device of each one's nsfs file
 * @ino:	its inode
 * @held:	a process is inside
 */
struct down_held {
	size_t n;
	dev_t *dev;
	ino_t *ino;
	unsigned char *held;
};

static int down_held_one(pid_t pid, dev_t dev, ino_t ino, void *arg)
{
	struct down_held *h = arg;
	size_t i;

	(void)pid;
	for (i = 0; i < h->n; i++) {
		if (h->ino[i] == ino && h->dev[i] == dev)
			h->held[i] = 1;
	}
	return 0;
}

/* Is a process inside the namespace of @node? */
static int down_is_held(const struct down_held *h, int node)
{
	return node >= 0 && (size_t)node < h->n && h->held[node];
}

/*
 * The host ends of the ports of nodes whose namespace a process holds: they
 * would not go with the unmount, so they go now, one by one.
 */
static int down_held_ports(struct down_ctx *d)
{
	struct down_held h = { .n = d->lab.n_nodes };
	struct lab_batch lb;
	char path[PATH_MAX];
	struct stat st;
	size_t i, k;
	int ret;

	h.dev = calloc(h.n + 1, sizeof(*h.dev));
	h.ino = calloc(h.n + 1, sizeof(*h.ino));
	h.held = calloc(h.n + 1, 1);
	ret = h.dev && h.ino && h.held ? 0 : log_err(-ENOMEM, "take lab %s down", d->name);
	for (i = 0; ret == 0 && i < h.n; i++) {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", d->lab.nodes[i].netns);
		if (stat(path, &st) == 0) {
			h.dev[i] = st.st_dev;
			h.ino[i] = st.st_ino;
		}
	}
	if (ret == 0)
		ret = netns_for_each_pid(down_held_one, &h);
	if (ret == 0)
		ret = down_left_read(d, DOWN_VETHS);
	lab_batch_init(&lb, &d->nl, "");
	for (i = 0; ret == 0 && i < d->lab.n_ifs; i++) {
		const struct lab_if *p = &d->lab.ifs[i];

		if (p->bridge < 0 || d->lab.bridges[p->bridge].node != LAB_HOST ||
		    !down_is_held(&h, p->node))
			continue;
		for (k = 0; k < d->n_left && strcmp(d->left[k], p->host_veth); k++)
			;
		if (k == d->n_left)
			continue; /* gone, or not ours */
		nl_link_build_del(&d->nl, &lb.b, p->host_veth);
		lab_batch_what(&lb, "delete %s", p->host_veth);
	}
	ret = ret == 0 ? lab_batch_send(&lb) : (lab_batch_drop(&lb), ret);
	free(h.dev);
	free(h.ino);
	free(h.held);
	return ret;
}

static int down_namespaces(struct down_ctx *d, const json_t *rec)
{
	json_t *v, *others = lab_netns_others(d->name);
	const char *ns;
	size_t i;
	int ret = others ? 0 : -ENOMEM;

	if (ret == 0 && d->parsed)
		ret = down_held_ports(d);
	json_array_foreach(json_object_get(rec, "namespaces"), i, v) {
		ns = json_string_value(v);
		if (!ns || ret < 0)
			continue;
		lab_hosts_del(d->name, ns);
		ret = lab_netns_del(d->name, ns, others);
	}
	json_decref(others);
	return ret;
}

/**
 * lab_down_record() - take down the lab a record describes
 * @rec:	the record
 *
 * Return: 0 or negative errno (logged); the record stays when a step fails,
 * for the next "down".
 */
int lab_down_record(const json_t *rec)
{
	struct down_ctx d = { .name = json_string_value(json_object_get(rec, "name")) };
	const char *source;
	int ret;

	lab_timing("start");
	snprintf(d.alias, sizeof(d.alias), LAB_ALIAS "%s", d.name);
	source = json_string_value(json_object_get(rec, "source"));
	d.parsed = source && lab_parse(source, strlen(source), d.name, &d.lab) == 0;
	ret = nl_open(&d.nl, NETLINK_ROUTE);
	if (ret == 0)
		ret = nl_open(&d.watch, NETLINK_ROUTE);
	if (ret < 0)
		log_err(ret, "open rtnetlink socket");
	if (ret == 0 && json_is_true(json_object_get(rec, "host_nat")))
		ret = down_nat(&d);
	if (ret == 0)
		ret = down_settings(d.name, rec);
	lab_timing("NAT and settings");
	if (ret == 0)
		ret = down_host_del(&d, DOWN_BRIDGES);
	lab_timing("bridges");
	/* Subscribed once the bridges went: the events of their ports would
	 * fill the socket before down_wait() reads it. */
	if (ret == 0) {
		ret = nl_subscribe(&d.watch, RTNLGRP_LINK);
		if (ret < 0)
			log_err(ret, "listen to link events");
	}
	if (ret == 0)
		ret = down_namespaces(&d, rec);
	lab_timing("namespaces unmounted");
	if (ret == 0)
		ret = down_wait(&d);
	lab_timing("the kernel's teardown");
	if (ret == 0)
		ret = down_host_del(&d, DOWN_VETHS | DOWN_BRIDGES);
	if (ret == 0)
		ret = lab_record_del(d.name);
	lab_timing("leftovers and state");
	nl_close(&d.watch);
	nl_close(&d.nl);
	free(d.left);
	lab_free(&d.lab);
	return ret;
}

/**
 * lab_down() - take a lab down
 * @what:	its topology file, or its name
 *
 * Return: 0 (also when it is not up) or negative errno (logged).
 */
int lab_down(const char *what)
{
	char name[LAB_NAME_MAX + 1];
	struct lab lab;
	json_t *rec;
	int lock, err, ret = 0;

	if (strchr(what, '/') || access(what, F_OK) == 0) {
		ret = lab_load(what, &lab);
		snprintf(name, sizeof(name), "%s", lab.name);
		lab_free(&lab);
	} else if (lab_name_check("lab name", what) == 0) {
		snprintf(name, sizeof(name), "%s", what);
	} else {
		ret = -EINVAL;
	}
	if (ret < 0)
		return ret;
	lock = lab_lock(STATE_DIR);
	if (lock < 0)
		return lock;
	rec = lab_record_read(name, &err);
	if (rec)
		ret = lab_down_record(rec);
	else
		ret = err == -ENOENT ? 0 : err;
	json_decref(rec);
	close(lock);
	return ret;
}
