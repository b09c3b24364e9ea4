// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * firewalld: plumb's bridges in firewalld's "trusted" zone, so that a host
 * that runs firewalld forwards its containers' traffic.
 *
 * Theory of operation. firewalld's forward chain rejects what comes in
 * through an interface of a zone that does not forward: a bridge in no zone
 * falls in the default zone ("public"), so containers lose their way out,
 * and, with bridge netfilter on, even each other (firewalld 1.3; published
 * ports still pass, as firewalld accepts what was DNATed). As netavark and
 * Docker do, each bridge plumb made goes into a zone whose target is
 * ACCEPT: the built-in "trusted" zone, which every firewalld has, so that
 * nothing is created and firewalld never has to reload for plumb. The
 * bridge is bound as an interface, not by its subnets: an interface cannot
 * be spoofed from outside, while a source address can.
 *
 * Both configurations get the binding: the runtime one, which takes effect
 * at once, and the permanent one, which "firewall-cmd --reload" and a
 * restart of firewalld load again (FlushAllOnReload=yes, the default,
 * drops runtime-only bindings). Since the permanent configuration outlives
 * a reboot, so do the records of what plumb added to it: under
 * /var/lib/plumb/firewalld/trusted/<bridge>.json, not under /run. A
 * binding plumb finds in place is the administrator's, and a bridge the
 * administrator put in another zone stays there: plumb says so and leaves
 * it. Only what a record names is ever taken away: when plumb deletes the
 * bridge, when a later call finds the bridge gone (a reboot took it) or no
 * longer plumb's, and at "plumb-nat flush".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <plumb/bridge.h>
#include <plumb/firewalld.h>
#include <plumb/foreign.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/state.h>

#include "firewalld_bus.h"

#define FWD_KIND "firewalld"

/**
 * struct firewalld - what plumb needs to change firewalld
 * @fb:		the connection to firewalld; @fb.bus is NULL when it does
 *		not run
 * @nl:		rtnetlink, to tell plumb's bridges from others
 * @state_dir:	where the records of what plumb added live
 * @lock_fd:	the records' directory, locked while firewalld is changed
 */
struct firewalld {
	struct firewalld_bus fb;
	struct nl_sock nl;
	const char *state_dir;
	int lock_fd;
};

/* --- records: what plumb added ------------------------------------------- */

/**
 * struct fwd_rec - the bindings of one bridge that plumb added
 * @runtime:	to the runtime configuration
 * @permanent:	to the permanent configuration
 */
struct fwd_rec {
	int runtime;
	int permanent;
};

/* Return: 0, -ENOENT when there is none (not logged), or negative errno. */
static int fwd_rec_read(struct firewalld *fw, const char *bridge, struct fwd_rec *r)
{
	json_t *rec;
	int ret;

	*r = (struct fwd_rec){ 0 };
	rec = state_record_read(fw->state_dir, FWD_KIND, FIREWALLD_ZONE, bridge, &ret);
	if (!rec)
		return ret;
	r->runtime = json_is_true(json_object_get(rec, "runtime"));
	r->permanent = json_is_true(json_object_get(rec, "permanent"));
	json_decref(rec);
	return 0;
}

static int fwd_rec_write(struct firewalld *fw, const char *bridge,
			 const struct fwd_rec *r)
{
	json_t *rec;
	int ret;

	rec = json_pack("{s:s, s:b, s:b}", "interface", bridge, "runtime", r->runtime,
			"permanent", r->permanent);
	if (!rec)
		return log_err(-ENOMEM, "record bridge %s in firewalld", bridge);
	ret = state_record_write(fw->state_dir, FWD_KIND, FIREWALLD_ZONE, bridge, rec);
	json_decref(rec);
	return ret;
}

/* --- bindings ------------------------------------------------------------ */

/* Bound to a zone that is not plumb's choice: the administrator's doing. */
static int fwd_elsewhere(const char *zone)
{
	return *zone && strcmp(zone, FIREWALLD_ZONE);
}

/* Bind @bridge where it is in no zone yet: in the runtime configuration
 * (@rt), the permanent one (@pm), or both. */
static int fwd_bind_missing(struct firewalld *fw, const char *bridge, int rt, int pm)
{
	int ret = 0;

	if (rt)
		ret = firewalld_bus_bind(&fw->fb, 0, FIREWALLD_ZONE, bridge, 1);
	if (ret >= 0 && pm) {
		ret = firewalld_bus_bind(&fw->fb, 1, FIREWALLD_ZONE, bridge, 1);
		if (ret < 0 && rt)
			firewalld_bus_bind(&fw->fb, 0, FIREWALLD_ZONE, bridge, 0);
	}
	return ret;
}

/*
 * Put a bridge plumb made in the trusted zone, in each configuration where
 * it is in no zone yet. What is added is recorded first, so that a teardown
 * after a crash finds it; on failure nothing of this call's stays.
 */
static int fwd_bridge_add(struct firewalld *fw, const char *bridge)
{
	char rt[FIREWALLD_ZONE_MAX], pm[FIREWALLD_ZONE_MAX];
	struct fwd_rec old, r;
	int had, ret;

	ret = fwd_rec_read(fw, bridge, &old);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	had = ret == 0;
	ret = firewalld_bus_zone_of(&fw->fb, 0, bridge, rt, sizeof(rt));
	/*
	 * Bound where plumb put it, in both: every ADD to the network finds it
	 * so, with one call. (A permanent binding taken away since comes back
	 * once a reload has taken the runtime one too.)
	 */
	if (ret == 0 && had && old.permanent && !strcmp(rt, FIREWALLD_ZONE))
		return 0;
	if (ret == 0)
		ret = firewalld_bus_zone_of(&fw->fb, 1, bridge, pm, sizeof(pm));
	if (ret < 0)
		return ret;
	if (fwd_elsewhere(rt) || fwd_elsewhere(pm)) {
		log_notice("bridge %s is in firewalld's zone %s; leaving it there",
			   bridge, fwd_elsewhere(rt) ? rt : pm);
		return 0;
	}
	if (*rt && *pm)
		return 0;
	r = (struct fwd_rec){ .runtime = old.runtime || !*rt,
			      .permanent = old.permanent || !*pm };
	ret = fwd_rec_write(fw, bridge, &r);
	if (ret == 0)
		ret = fwd_bind_missing(fw, bridge, !*rt, !*pm);
	if (ret < 0) {
		if (had)
			fwd_rec_write(fw, bridge, &old);
		else
			state_record_del(fw->state_dir, FWD_KIND, FIREWALLD_ZONE, bridge);
		return ret;
	}
	log_notice("put bridge %s in firewalld's zone %s (plumb-nat flush takes it out)",
		   bridge, FIREWALLD_ZONE);
	return 0;
}

/*
 * Take away the bindings of a bridge that its record names. When firewalld
 * does not run, a permanent binding cannot be taken away: the record stays
 * for a later call, and a notice says so; a runtime one went with firewalld.
 */
static int fwd_bridge_del(struct firewalld *fw, const char *bridge)
{
	char rt[FIREWALLD_ZONE_MAX];
	struct fwd_rec r;
	int ret;

	ret = fwd_rec_read(fw, bridge, &r);
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;
	if (!fw->fb.bus && r.permanent) {
		log_warn("firewalld does not run: bridge %s stays in its permanent "
			 "zone %s until plumb-nat flush runs with firewalld",
			 bridge, FIREWALLD_ZONE);
		return 0;
	}
	if (fw->fb.bus && r.runtime) {
		ret = firewalld_bus_zone_of(&fw->fb, 0, bridge, rt, sizeof(rt));
		if (ret == 0 && !strcmp(rt, FIREWALLD_ZONE))
			ret = firewalld_bus_bind(&fw->fb, 0, FIREWALLD_ZONE, bridge, 0);
	}
	if (ret >= 0 && r.permanent)
		ret = firewalld_bus_bind(&fw->fb, 1, FIREWALLD_ZONE, bridge, 0);
	if (ret >= 0)
		ret = state_record_del(fw->state_dir, FWD_KIND, FIREWALLD_ZONE, bridge);
	return ret < 0 ? ret : 0;
}

/* Return: 1 when @bridge is a bridge plumb made, 0 when not (or gone), or
 * negative errno (logged). Never one plumb was given: it may face a network. */
static int fwd_bridge_ours(struct firewalld *fw, const char *bridge)
{
	struct nl_link link;
	int ret;

	ret = nl_link_get(&fw->nl, bridge, &link);
	if (ret == -ENODEV)
		return 0;
	if (ret < 0)
		return nl_err(&fw->nl, ret, "look up bridge %s", bridge);
	return !strcmp(link.kind, "bridge") && bridge_marked(&fw->nl, &link);
}

struct fwd_walk {
	struct firewalld *fw;
	int stale_only;
	int err;
};

/* Take away a recorded bridge's bindings (@stale_only: if it is no longer
 * a bridge of plumb's). */
static int fwd_walk_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct fwd_walk *w = arg;
	int ret = 0;

	(void)group;
	(void)rec;
	if (w->stale_only)
		ret = fwd_bridge_ours(w->fw, name);
	if (ret == 0)
		ret = fwd_bridge_del(w->fw, name);
	if (ret < 0 && !w->err)
		w->err = ret;
	return 0;
}

static int fwd_walk(struct firewalld *fw, int stale_only)
{
	struct fwd_walk w = { .fw = fw, .stale_only = stale_only };
	int ret;

	ret = state_record_for_each(fw->state_dir, FWD_KIND, FIREWALLD_ZONE, fwd_walk_one,
				    &w);
	return w.err ? w.err : ret;
}

/* --- the handle ---------------------------------------------------------- */

static void fwd_end(struct firewalld *fw)
{
	firewalld_bus_close(&fw->fb);
	nl_close(&fw->nl);
	if (fw->lock_fd >= 0)
		close(fw->lock_fd);
}

/*
 * Connect to firewalld, and lock plumb's records of it against another
 * plumb doing the same. Return: 1 when firewalld runs, 0 when not (the
 * records can be read), or negative errno (logged); fwd_end() either way.
 */
static int fwd_begin(struct firewalld *fw)
{
	char dir[4096];
	int ret;

	*fw = (struct firewalld){ .state_dir = FIREWALLD_STATE_DIR, .lock_fd = -1 };
	ret = firewalld_bus_open(&fw->fb);
	if (ret <= 0)
		return ret;
	ret = nl_open(&fw->nl, NETLINK_ROUTE);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket");
	snprintf(dir, sizeof(dir), "%s/" FWD_KIND, fw->state_dir);
	fw->lock_fd = state_dir_open(dir, 1);
	if (fw->lock_fd < 0)
		return fw->lock_fd == -ENOENT ? log_err(-ENOENT, "open %s", dir) :
						fw->lock_fd;
	if (flock(fw->lock_fd, LOCK_EX) < 0)
		return log_err(-errno, "lock %s", dir);
	return 1;
}

/**
 * foreign_firewalld_admit() - let plumb's bridges through firewalld, if it runs
 * @netns_fd:	the namespace of the bridges, -1 for ours
 * @nets:	a network being made, or all of plumb's (reconcile)
 * @n:		how many
 *
 * The bridge of each of @nets that plumb made goes into firewalld's trusted
 * zone, unless it is in another zone (a notice says so); a bridge plumb was
 * given is left alone. The bindings of recorded bridges that are gone, or
 * no longer plumb's, are taken away. firewalld keeps the namespace it runs
 * in: bridges of another one (-n) are left alone.
 *
 * Return: 0 or negative errno (logged); an error does not stop the others.
 */
int foreign_firewalld_admit(int netns_fd, const struct foreign_net *nets, size_t n)
{
	struct firewalld fw;
	int ret, err = 0;
	size_t i;

	if (netns_fd >= 0)
		return 0;
	ret = fwd_begin(&fw);
	for (i = 0; ret > 0 && i < n; i++) {
		ret = fwd_bridge_ours(&fw, nets[i].bridge);
		if (ret > 0)
			ret = fwd_bridge_add(&fw, nets[i].bridge);
		if (ret < 0 && !err)
			err = ret;
		ret = 1;
	}
	if (ret > 0)
		ret = fwd_walk(&fw, 1);
	fwd_end(&fw);
	if (err)
		return err;
	return ret < 0 ? ret : 0;
}

/* Take away the bindings plumb added: of @bridge, or of all bridges (NULL). */
static int fwd_unbind(int netns_fd, const char *bridge)
{
	struct firewalld fw;
	int ret;

	if (netns_fd >= 0)
		return 0;
	ret = fwd_begin(&fw);
	if (ret >= 0)
		ret = bridge ? fwd_bridge_del(&fw, bridge) : fwd_walk(&fw, 0);
	fwd_end(&fw);
	return ret;
}

/**
 * firewalld_forget() - take away what plumb added to firewalld for a bridge
 * @netns_fd:	the namespace of the bridge, -1 for ours
 * @bridge:	a bridge plumb deleted
 *
 * Return: 0 (also when plumb added nothing) or negative errno (logged).
 */
int firewalld_forget(int netns_fd, const char *bridge)
{
	return fwd_unbind(netns_fd, bridge);
}

/**
 * foreign_firewalld_withdraw() - take away all that plumb added to firewalld
 * @netns_fd:	the namespace, -1 for ours
 *
 * firewalld's configurations are left as they were before plumb. When
 * firewalld does not run, permanent bindings stay (see fwd_bridge_del()).
 *
 * Return: 0 or negative errno (logged); an error does not stop the others.
 */
int foreign_firewalld_withdraw(int netns_fd)
{
	return fwd_unbind(netns_fd, NULL);
}
