// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_records: the records plumb writes under /run/plumb and reads back at
 * teardown, GC and reconcile: attachments (attach_from_json, lib/attach.c)
 * and published ports (nat_pub_from_json, lib/nat_spec.c).
 *
 * Input: a record, as the file would hold it (read as lib/state.c reads it,
 * with json_loadfd and no flags). Whatever reads is written again and must
 * read back the same.
 */
#include <assert.h>
#include <string.h>

#include <plumb/attach.h>
#include <plumb/log.h>
#include <plumb/nat.h>

#include "fuzz.h"

static struct attachment fz_a, fz_b;

static void fz_attachment(const json_t *j)
{
	json_t *again;
	size_t i;

	if (attach_from_json(j, &fz_a) < 0)
		return;
	assert(fz_a.n_ip <= BRIDGE_ADDRS_MAX && fz_a.n_routes <= BRIDGE_ROUTES_MAX);
	assert(strlen(fz_a.ifname) < sizeof(fz_a.ifname));
	again = attach_to_json(&fz_a);
	assert(again);
	assert(attach_from_json(again, &fz_b) == 0);
	json_decref(again);
	assert(!strcmp(fz_a.network, fz_b.network) && !strcmp(fz_a.id, fz_b.id) &&
	       !strcmp(fz_a.ifname, fz_b.ifname) && !strcmp(fz_a.netns, fz_b.netns) &&
	       !strcmp(fz_a.bridge, fz_b.bridge) &&
	       !strcmp(fz_a.host_veth, fz_b.host_veth) &&
	       !strcmp(fz_a.data_dir, fz_b.data_dir));
	assert(!memcmp(fz_a.mac, fz_b.mac, 6) && !memcmp(fz_a.host_mac, fz_b.host_mac, 6));
	assert(fz_a.mtu == fz_b.mtu && fz_a.n_ip == fz_b.n_ip &&
	       fz_a.n_routes == fz_b.n_routes && fz_a.hairpin == fz_b.hairpin &&
	       fz_a.default_route == fz_b.default_route);
	for (i = 0; i < fz_a.n_ip; i++) {
		assert(inet_addr_eq(&fz_a.ip[i].addr, &fz_b.ip[i].addr));
		assert(fz_a.ip[i].len == fz_b.ip[i].len);
		assert(fz_a.gateway[i].family == fz_b.gateway[i].family);
	}
	for (i = 0; i < fz_a.n_routes; i++) {
		assert(inet_addr_eq(&fz_a.routes[i].dst.addr, &fz_b.routes[i].dst.addr));
		assert(fz_a.routes[i].dst.len == fz_b.routes[i].dst.len);
	}
}

static void fz_publish(const json_t *j)
{
	struct nat_pub p, q;
	json_t *again;

	if (nat_pub_from_json(j, &p) < 0)
		return;
	assert(p.port >= 1 && p.port <= p.port_end);
	assert(p.to_port >= 1 && p.to_port + (p.port_end - p.port) <= 65535);
	again = nat_pub_to_json(&p);
	assert(again);
	assert(nat_pub_from_json(again, &q) == 0);
	json_decref(again);
	assert(p.proto == q.proto && p.port == q.port && p.port_end == q.port_end &&
	       p.to_port == q.to_port && p.localhost == q.localhost);
	assert(p.host.family == q.host.family && inet_addr_eq(&p.addr, &q.addr));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);

	if (!j)
		return 0;
	fz_attachment(j);
	fz_publish(j);
	json_decref(j);
	return 0;
}
