/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topo: walking a topology file's YAML, every error with its line and column. */
#ifndef PLUMB_LAB_TOPO_H
#define PLUMB_LAB_TOPO_H

#include <yaml.h>

#include <plumb/log.h>

#include "lab.h"

/**
 * struct topo - a topology file being read
 * @doc:	its YAML document
 * @file:	its name, for messages
 * @lab:	what is read into
 * @seen:	one flag per YAML node: read already (a second read is an
 *		alias, refused: aliases let a small file expand without bound)
 * @n_seen:	number of nodes
 * @key:	the key of the mapping pair read last (topo_key()), where an
 *		error about it points
 */
struct topo {
	yaml_document_t doc;
	const char *file;
	struct lab *lab;
	unsigned char *seen;
	size_t n_seen;
	yaml_node_t *key;
};

/* Every mapping pair of @map, a mapping node. */
#define topo_for_pairs(map, pair)                                    \
	for ((pair) = (map)->data.mapping.pairs.start;               \
	     (pair) < (map)->data.mapping.pairs.top; (pair)++)

/* Every item of @seq, a sequence node. */
#define topo_for_items(seq, item)                                    \
	for ((item) = (seq)->data.sequence.items.start;              \
	     (item) < (seq)->data.sequence.items.top; (item)++)

/* topo_value.c: one value at a time, and errors */
int topo_err(struct topo *t, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int topo_err_msg(struct topo *t, const yaml_node_t *n, const struct log_msg *m);
struct lab_pos topo_pos(const yaml_node_t *n);
yaml_node_t *topo_node(struct topo *t, int index);
int topo_is_null(const yaml_node_t *n);
int topo_want(struct topo *t, const yaml_node_t *n, yaml_node_type_t type,
	      const char *what);
int topo_str(struct topo *t, const yaml_node_t *n, const char *what, char *buf,
	     size_t size);
int topo_bool(struct topo *t, const yaml_node_t *n, const char *what, int *out);
int topo_uint(struct topo *t, const yaml_node_t *n, const char *what, unsigned long min,
	      unsigned long max, unsigned long *out);
int topo_name(struct topo *t, const yaml_node_t *n, const char *what, char *buf);
int topo_ifname(struct topo *t, const yaml_node_t *n, const char *what, char *buf);
int topo_ifname_check(struct topo *t, const yaml_node_t *n, const char *name, char *buf);
int topo_key(struct topo *t, const yaml_node_pair_t *pair, char *buf, size_t size,
	     yaml_node_t **value);
int topo_dup_keys(struct topo *t, const yaml_node_t *map);
void *topo_grow(void *array, size_t n, size_t size);
void *topo_append(void *arrayp, size_t *n, size_t size);

/* topo_nodes.c: nodes, and interfaces as the other sections name them */
int topo_nodes(struct topo *t, yaml_node_t *map);
int topo_node_ref(struct topo *t, const yaml_node_t *n, const char *name);
int topo_end_add(struct topo *t, int index, int port, struct lab_if **out);

/* topo_bridges.c */
int topo_bridges(struct topo *t, yaml_node_t *map);

/* topo_links.c */
int topo_links(struct topo *t, yaml_node_t *seq);
int topo_routes(struct topo *t, yaml_node_t *map);
int topo_publish(struct topo *t, yaml_node_t *seq);

/* topo_resolve.c: names and checks across sections */
int topo_resolve(struct topo *t);

#endif
