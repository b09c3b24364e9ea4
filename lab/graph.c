// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-lab graph: a lab in Graphviz's dot language, from its record: a box
 * per node, an ellipse per bridge, an edge per link (its ends' interfaces
 * and addresses at either end) and per bridge port; a dashed edge from a
 * bridge to the node it lives in. "plumb-lab graph lab1 | dot -Tsvg".
 */
#include <stdio.h>

#include "verbs.h"
#include "view.h"

/* A string for dot: in double quotes, with its quotes and backslashes escaped. */
static void graph_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", stdout); /* a line break in a label */
			continue;
		}
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

/* "eth0\n10.0.1.2/30": an interface and its addresses from the file. */
static void graph_end(const struct lab_if *i)
{
	char label[256], buf[INET_PREFIX_STRLEN];
	size_t k, len;

	len = (size_t)snprintf(label, sizeof(label), "%s", i->name);
	for (k = 0; k < i->n_ip && len < sizeof(label); k++)
		len += (size_t)snprintf(label + len, sizeof(label) - len, "\n%s",
					inet_prefix_str(&i->ip[k], buf, sizeof(buf)));
	graph_str(label);
}

static void graph_print(const struct lab *lab)
{
	char buf[INET_PREFIX_STRLEN], id[LAB_NAME_MAX + 8];
	const struct lab_if *i;
	size_t k, f;

	printf("graph ");
	graph_str(lab->name);
	printf(" {\n\tnode [shape=box];\n");
	for (k = 0; k < lab->n_nodes; k++) {
		printf("\t");
		graph_str(lab->nodes[k].name);
		printf(";\n");
	}
	for (k = 0; k < lab->n_bridges; k++) {
		const struct lab_bridge *br = &lab->bridges[k];
		char label[128];
		size_t len = (size_t)snprintf(label, sizeof(label), "%s", br->key);

		for (f = 0; f < 2; f++) {
			if (br->sets[f].n)
				len += (size_t)snprintf(label + len, sizeof(label) - len, "\n%s",
							inet_prefix_str(&br->sets[f].range[0].subnet,
									buf, sizeof(buf)));
		}
		snprintf(id, sizeof(id), "bridge:%s", br->key);
		printf("\t");
		graph_str(id);
		printf(" [shape=ellipse, label=");
		graph_str(label);
		printf("];\n");
		if (br->node != LAB_HOST) {
			printf("\t");
			graph_str(lab->nodes[br->node].name);
			printf(" -- ");
			graph_str(id);
			printf(" [style=dashed];\n");
		}
	}
	for (k = 0; k < lab->n_ifs; k++) {
		i = &lab->ifs[k];
		if (i->bridge < 0 && i->peer < (int)k)
			continue;
		printf("\t");
		graph_str(lab->nodes[i->node].name);
		printf(" -- ");
		if (i->bridge >= 0) {
			snprintf(id, sizeof(id), "bridge:%s", lab->bridges[i->bridge].key);
			graph_str(id);
		} else {
			graph_str(lab->nodes[lab->ifs[i->peer].node].name);
		}
		printf(" [taillabel=");
		graph_end(i);
		if (i->bridge < 0) {
			printf(", headlabel=");
			graph_end(&lab->ifs[i->peer]);
		}
		printf("];\n");
	}
	printf("}\n");
}

int cmd_graph(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct lab lab;
	int ret;

	(void)ctx;
	if (argc != 2)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = lab_from_record(argv[1], &lab);
	if (ret == 0)
		graph_print(&lab);
	lab_free(&lab);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
