// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_lab: plumb-lab's topology files (lab/topo*.c): YAML or JSON, read
 * with libyaml, walked into struct lab, names resolved and checked.
 *
 * Input: the file. What is accepted must hold together: every node has a
 * namespace under its prefix, every interface a name that is valid and
 * unique in its node, every bridge port a host end, every link end a peer
 * that points back; each node is found again by its name; the text kept
 * for the record is the input.
 */
#include <assert.h>
#include <string.h>

#include <plumb/link.h>
#include <plumb/log.h>

#include "../../lab/lab.h"
#include "fuzz.h"

static void fz_check(const struct lab *lab, const uint8_t *data, size_t size)
{
	const struct lab_if *i;
	size_t k, j;

	assert(lab->source_len == size && !memcmp(lab->source, data, size));
	assert(lab_name_check_try("lab name", lab->name, NULL) == 0);
	for (k = 0; k < lab->n_nodes; k++) {
		assert(lab_node_find(lab, lab->nodes[k].name) == (int)k);
		assert(!strncmp(lab->nodes[k].netns, lab->prefix, strlen(lab->prefix)));
		assert(!strncmp(lab->nodes[k].sysctl ? lab->nodes[k].sysctl[0].key : "net/",
				"net/", 4));
	}
	for (k = 0; k < lab->n_bridges; k++)
		assert(nl_link_name_check_try(lab->bridges[k].name, NULL) == 0);
	for (k = 0; k < lab->n_ifs; k++) {
		i = &lab->ifs[k];
		assert(i->node >= 0 && (size_t)i->node < lab->n_nodes);
		assert(nl_link_name_check_try(i->name, NULL) == 0);
		assert(i->n_ip <= LAB_IPS_MAX);
		if (i->bridge >= 0)
			assert(nl_link_name_check_try(i->host_veth, NULL) == 0);
		else
			assert(lab->ifs[i->peer].peer == (int)k);
		for (j = 0; j < k; j++)
			assert(lab->ifs[j].node != i->node || strcmp(lab->ifs[j].name, i->name));
	}
	for (k = 0; k < lab->n_routes; k++)
		assert(lab->routes[k].r.dst.addr.family == AF_INET ||
		       lab->routes[k].r.dst.addr.family == AF_INET6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab lab;

	if (lab_parse((const char *)data, size, "fuzz.yaml", &lab) == 0)
		fz_check(&lab, data, size);
	lab_free(&lab);
	return 0;
}
