// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-lab up, check: a topology made, or compared with the kernel.
 *
 * Theory of operation: "up" reads the file (nothing is made when it is
 * wrong), takes the labs' lock, and looks at what exists: a namespace or a
 * host interface under one of the lab's names that is not the lab's stops
 * it there, naming every one. It then writes the lab's record (every
 * namespace it may make, the host settings it will change with their old
 * values) and only then makes or repairs, in rounds that batch as far as
 * the kernel allows (see wire.c): namespaces, bridges, leases, veth pairs,
 * each namespace's interfaces, addresses and routes, settings, NAT, names.
 * Objects of an earlier "up" that the file no longer has are removed last.
 * A new lab whose "up" fails is taken down again: all or nothing. "check"
 * goes through the same rounds without changing anything and lists what
 * differs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plumb/fault.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/state.h>

#include "down.h"
#include "verbs.h"
#include "hosts.h"
#include "nat.h"
#include "record.h"
#include "settings.h"
#include "timing.h"
#include "wire.h"

/* Every round, in order; with @run->check nothing changes. */
static int up_rounds(struct lab_run *run, int host_nat)
{
	size_t i;
	int ret;

	ret = wire_bridges(run);
	lab_timing("bridges");
	if (ret == 0)
		ret = lab_leases(run);
	lab_timing("leases");
	if (ret == 0)
		ret = wire_veths(run);
	lab_timing("veths");
	fault_point("lab-veths");
	for (i = 0; i < run->lab->n_nodes && ret == 0; i++)
		ret = wire_ns(run, (int)i);
	if (ret == 0)
		ret = wire_ns(run, LAB_HOST);
	lab_timing("each namespace's batch");
	fault_point("lab-wired");
	if (ret == 0)
		ret = lab_settings(run);
	if (ret == 0)
		ret = lab_nat(run, host_nat);
	lab_timing("settings and NAT");
	if (ret == 0)
		ret = lab_hosts(run);
	lab_timing("hosts");
	return ret;
}

/* The namespaces of an earlier "up" that the file no longer has. */
static int up_prune(struct lab_run *run, const json_t *old)
{
	json_t *v, *others = NULL;
	const char *ns;
	size_t i;
	int ret = 0;

	json_array_foreach(json_object_get(old, "namespaces"), i, v) {
		ns = json_string_value(v);
		if (!ns || lab_node_find_netns(run->lab, ns) >= 0)
			continue;
		if (!others && !(others = lab_netns_others(run->lab->name)))
			return -ENOMEM;
		lab_hosts_del(run->lab->name, ns);
		ret = lab_netns_del(run->lab->name, ns, others);
		if (ret < 0)
			break;
	}
	json_decref(others);
	return ret;
}

static int up_do(struct lab_run *run, json_t *old, json_t *rec)
{
	int ret;

	lab_timing("read and look");
	ret = lab_host_settings_plan(run, json_object_get(rec, "host_sysctl"));
	if (ret == 0 && lab_nat_wanted(run->lab, LAB_HOST))
		ret = json_object_set_new(rec, "host_nat", json_true()) < 0 ? -ENOMEM : 0;
	if (ret == 0)
		ret = lab_record_write(rec);
	fault_point("lab-recorded");
	lab_timing("record");
	if (ret == 0)
		ret = run_ns_make(run);
	lab_timing("namespaces");
	fault_point("lab-namespaces");
	if (ret == 0)
		ret = lab_host_settings(run);
	if (ret == 0)
		ret = up_rounds(run, json_is_true(json_object_get(old, "host_nat")));
	if (ret == 0)
		ret = up_prune(run, old);
	lab_timing("prune");
	return ret;
}

static void up_summary(const struct lab_run *run)
{
	json_t *v;
	size_t i;

	json_array_foreach(run->drift, i, v)
		printf("%s: repaired: %s\n", run->lab->name, json_string_value(v));
	printf("%s: up: %zu node%s, %zu bridge%s, %zu interface%s%s\n", run->lab->name,
	       run->lab->n_nodes, run->lab->n_nodes == 1 ? "" : "s", run->lab->n_bridges,
	       run->lab->n_bridges == 1 ? "" : "s", run->lab->n_ifs,
	       run->lab->n_ifs == 1 ? "" : "s",
	       run->fresh || run->n_drift ? "" : ", as they were");
}

/**
 * lab_up() - make a lab, or repair it
 * @file:	its topology file
 *
 * Return: 0 or negative errno (logged).
 */
int lab_up(const char *file)
{
	struct lab lab;
	struct lab_run run;
	json_t *old = NULL, *rec = NULL, *final;
	int lock = -1, err, ret;

	lab_timing("start");
	ret = lab_load(file, &lab);
	if (ret == 0) {
		lock = lab_lock(STATE_DIR);
		ret = lock < 0 ? lock : 0;
	}
	if (ret == 0) {
		old = lab_record_read(lab.name, &err);
		ret = !old && err != -ENOENT ? err : 0;
	}
	if (ret == 0)
		ret = run_init(&run, &lab, 0);
	if (ret == 0) {
		run.fresh = !old;
		ret = run_ns_look(&run, json_object_get(old, "namespaces"));
		rec = ret == 0 ? lab_record_new(&lab, old) : NULL;
		if (ret == 0 && !rec)
			ret = -ENOMEM;
		if (ret == 0)
			ret = up_do(&run, old, rec);
		/* All or nothing for a new lab (its sockets closed first: they
		 * hold its namespaces); a repair keeps what it did. */
		if (ret < 0 && run.fresh && rec) {
			run_free(&run);
			lab_down_record(rec);
		}
		if (ret == 0) {
			final = lab_record_new(&lab, NULL);
			json_object_set(final, "host_sysctl", json_object_get(rec, "host_sysctl"));
			json_object_set(final, "host_nat", json_object_get(rec, "host_nat"));
			ret = final ? lab_record_write(final) : -ENOMEM;
			json_decref(final);
		}
		if (ret == 0)
			up_summary(&run);
		run_free(&run);
	}
	json_decref(rec);
	json_decref(old);
	if (lock >= 0)
		close(lock);
	lab_free(&lab);
	return ret;
}

/**
 * lab_check() - compare a lab with the kernel
 * @file:	its topology file
 *
 * Return: 0 when everything is as the file says, 1 when something differs
 * (each difference printed), or negative errno (logged).
 */
int lab_check(const char *file)
{
	struct lab lab;
	struct lab_run run;
	json_t *old = NULL, *v;
	size_t i;
	int err, ret;

	ret = lab_load(file, &lab);
	if (ret == 0) {
		old = lab_record_read(lab.name, &err);
		if (!old)
			ret = err == -ENOENT ? log_errx(-ENOENT, "lab %s is not up", lab.name) :
					       err;
	}
	if (ret == 0)
		ret = run_init(&run, &lab, 1);
	if (ret == 0) {
		ret = run_ns_look(&run, json_object_get(old, "namespaces"));
		for (i = 0; i < lab.n_nodes && ret == 0; i++) {
			if (run.ns[i].state == LAB_NS_MISSING)
				ret = run_drift(&run, "namespace %s is missing", run.ns[i].name);
		}
		if (ret == 0)
			ret = lab_host_settings_plan(&run, NULL);
		if (ret == 0)
			ret = up_rounds(&run, json_is_true(json_object_get(old, "host_nat")));
		json_array_foreach(run.drift, i, v)
			printf("%s: %s\n", lab.name, json_string_value(v));
		if (ret == 0)
			ret = run.n_drift ? 1 : 0;
		run_free(&run);
	}
	json_decref(old);
	lab_free(&lab);
	return ret;
}
