// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo: a topology file, read with libyaml into struct lab.
 *
 * Theory of operation: the file is loaded whole as a YAML document (libyaml
 * reads JSON too), then walked section by section (topo_nodes.c,
 * topo_bridges.c, topo_links.c, each value read by topo_value.c), then
 * checked as a whole (topo_resolve.c): names are given to what has none and
 * every reference is looked up. Nothing touches the kernel or the disk, so a
 * file that fails is refused before anything is made, and the parser can be
 * fuzzed. Every error names the file, the line and the column of what is
 * wrong, as compilers do: "lab1.yaml:12:7: unknown node "s3"".
 *
 * The YAML is taken as data, never as a program: a mapping key read twice is
 * an error (YAML forbids it; libyaml does not check), and so is a node read
 * twice, which only an alias can make: "*a" repeated in nested lists grows
 * exponentially as it is walked ("billion laughs").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/name.h>

#include "topo.h"

/* name:, prefix: and nodes: first, wherever they are: the rest refers to them. */
static int topo_top_first(struct topo *t, yaml_node_t *root, int *have_prefix)
{
	yaml_node_pair_t *pair;
	yaml_node_t *key, *v;
	const char *k;
	int ret = 0;

	topo_for_pairs(root, pair) {
		key = yaml_document_get_node(&t->doc, pair->key);
		if (!key || key->type != YAML_SCALAR_NODE)
			return topo_err(t, key ? key : root, "key: want a value");
		k = (const char *)key->data.scalar.value;
		if (strcmp(k, "name") && strcmp(k, "prefix") && strcmp(k, "nodes"))
			continue;
		if (!topo_node(t, pair->key) || !(v = topo_node(t, pair->value)))
			return -EINVAL;
		if (!strcmp(k, "name")) {
			ret = topo_name(t, v, "lab name", t->lab->name);
		} else if (!strcmp(k, "prefix")) {
			*have_prefix = 1;
			ret = topo_str(t, v, "prefix", t->lab->prefix, sizeof(t->lab->prefix));
			if (ret == 0 && *t->lab->prefix)
				ret = topo_name(t, v, "prefix", t->lab->prefix);
		} else {
			ret = topo_nodes(t, v);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int topo_top(struct topo *t, yaml_node_t *root)
{
	yaml_node_pair_t *pair;
	yaml_node_t *key, *v;
	int have_prefix = 0, ret;
	const char *k;

	if (topo_want(t, root, YAML_MAPPING_NODE, "a topology") < 0)
		return -EINVAL;
	ret = topo_dup_keys(t, root);
	if (ret == 0)
		ret = topo_top_first(t, root, &have_prefix);
	if (ret < 0)
		return ret;
	if (!*t->lab->name)
		return topo_err(t, root, "no \"name\": every lab has one");
	if (!have_prefix)
		memcpy(t->lab->prefix, t->lab->name, sizeof(t->lab->prefix));
	topo_for_pairs(root, pair) {
		key = yaml_document_get_node(&t->doc, pair->key);
		k = (const char *)key->data.scalar.value;
		if (!strcmp(k, "name") || !strcmp(k, "prefix") || !strcmp(k, "nodes"))
			continue;
		if (!topo_node(t, pair->key) || !(v = topo_node(t, pair->value)))
			return -EINVAL;
		if (!strcmp(k, "bridges"))
			ret = topo_bridges(t, v);
		else if (!strcmp(k, "links"))
			ret = topo_links(t, v);
		else if (!strcmp(k, "routes"))
			ret = topo_routes(t, v);
		else if (!strcmp(k, "publish"))
			ret = topo_publish(t, v);
		else
			ret = topo_err(t, key,
				       "unknown key \"%s\": want name, prefix, nodes, "
				       "bridges, links, routes or publish",
				       k);
		if (ret < 0)
			return ret;
	}
	return topo_resolve(t);
}

/* libyaml's own complaint, where it was found. */
static int topo_syntax_err(const char *file, const yaml_parser_t *p)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	if (p->error == YAML_MEMORY_ERROR)
		return log_err(-ENOMEM, "read %s", file);
	return log_errx(-EINVAL, "%s:%zu:%zu: %s%s%s", file, m->line + 1, m->column + 1,
			p->problem ? p->problem : "malformed YAML",
			p->context ? " " : "", p->context ? p->context : "");
}

/* Load the one document of @text. */
static int topo_load(struct topo *t, const char *text, size_t len)
{
	yaml_document_t extra;
	yaml_parser_t parser;
	int ret = 0;

	if (!yaml_parser_initialize(&parser))
		return log_err(-ENOMEM, "read %s", t->file);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &t->doc)) {
		ret = topo_syntax_err(t->file, &parser);
		yaml_parser_delete(&parser);
		return ret;
	}
	if (!yaml_document_get_root_node(&t->doc)) {
		ret = log_errx(-EINVAL, "%s: empty: want a topology", t->file);
	} else if (!yaml_parser_load(&parser, &extra)) {
		ret = topo_syntax_err(t->file, &parser);
	} else {
		if (yaml_document_get_root_node(&extra))
			ret = log_errx(-EINVAL, "%s:%zu:%zu: a second document: want one",
				       t->file, extra.start_mark.line + 1,
				       extra.start_mark.column + 1);
		yaml_document_delete(&extra);
	}
	yaml_parser_delete(&parser);
	if (ret < 0)
		yaml_document_delete(&t->doc);
	return ret;
}

/**
 * lab_parse() - read a topology from its text
 * @text:	the text, YAML or JSON
 * @len:	its length
 * @file:	where it came from, for messages
 * @lab:	filled; lab_free() it, whatever this returns
 *
 * Return: 0, or -EINVAL (logged, with the line and column of the first
 * error), or -ENOMEM.
 */
int lab_parse(const char *text, size_t len, const char *file, struct lab *lab)
{
	struct topo t = { .file = file, .lab = lab };
	int ret;

	memset(lab, 0, sizeof(*lab));
	snprintf(lab->file, sizeof(lab->file), "%s", file);
	if (len > LAB_FILE_MAX)
		return log_errx(-EINVAL, "%s: larger than %d MiB", file, LAB_FILE_MAX >> 20);
	ret = topo_load(&t, text, len);
	if (ret < 0)
		return ret;
	t.n_seen = (size_t)(t.doc.nodes.top - t.doc.nodes.start);
	t.seen = calloc(t.n_seen ? t.n_seen : 1, 1);
	ret = t.seen ? 0 : log_err(-ENOMEM, "read %s", file);
	if (ret == 0)
		ret = topo_top(&t, yaml_document_get_root_node(&t.doc));
	free(t.seen);
	yaml_document_delete(&t.doc);
	if (ret < 0)
		return ret;
	lab->source = malloc(len + 1);
	if (!lab->source)
		return log_err(-ENOMEM, "read %s", file);
	memcpy(lab->source, text, len);
	lab->source[len] = '\0';
	lab->source_len = len;
	/* The record keeps the text in JSON (libyaml also reads UTF-16). */
	if (memchr(text, '\0', len) || !json_utf8_valid(lab->source))
		ret = log_errx(-EINVAL, "%s: not UTF-8 text", file);
	return ret;
}

/* The whole of a regular file, NUL-terminated; -errno (logged). */
static int lab_read_file(const char *file, char **text, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return log_err(-errno, "open %s", file);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > LAB_FILE_MAX) {
		ret = log_errx(-EINVAL, "%s: not a regular file of at most %d MiB", file,
			       LAB_FILE_MAX >> 20);
		goto out;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		ret = log_err(-ENOMEM, "read %s", file);
		goto out;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, *text + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? log_err(-errno, "read %s", file) :
				      log_errx(-EIO, "%s changed while read", file);
			free(*text);
			*text = NULL;
			goto out;
		}
		off += (size_t)n;
	}
	(*text)[off] = '\0';
	*len = off;
out:
	close(fd);
	return ret;
}

/**
 * lab_load() - read a topology file
 * @file:	its path
 * @lab:	filled; lab_free() it, whatever this returns
 *
 * Return: 0 or negative errno (logged).
 */
int lab_load(const char *file, struct lab *lab)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	memset(lab, 0, sizeof(*lab));
	ret = lab_read_file(file, &text, &len);
	if (ret == 0)
		ret = lab_parse(text, len, file, lab);
	free(text);
	return ret;
}

/**
 * lab_free() - free what a topology holds
 * @lab:	the topology
 */
void lab_free(struct lab *lab)
{
	size_t i;

	for (i = 0; lab->nodes && i < lab->n_nodes; i++)
		free(lab->nodes[i].sysctl);
	free(lab->nodes);
	free(lab->node_order);
	free(lab->bridges);
	free(lab->ifs);
	free(lab->routes);
	free(lab->pubs);
	free(lab->source);
	memset(lab, 0, sizeof(*lab));
}

/**
 * lab_name_check_try() - check a lab, node or bridge name
 * @what:	what it is, for the message
 * @name:	the name
 * @m:		what is wrong, or NULL
 *
 * Names become parts of namespace, file and host names: letters, digits,
 * '_', '.' and '-', not first (libcni's rule for names), at most
 * LAB_NAME_MAX bytes.
 *
 * Return: 0 or -EINVAL (in @m, not logged).
 */
int lab_name_check_try(const char *what, const char *name, struct log_msg *m)
{
	if (strlen(name) > LAB_NAME_MAX)
		return log_msg_errx(m, -EINVAL, "invalid %s \"%.40s\": longer than %d bytes",
				    what, name, LAB_NAME_MAX);
	return name_check_try(what, name, m);
}

/**
 * lab_name_check() - lab_name_check_try(), saying what is wrong
 * @what:	what it is, for the message
 * @name:	the name
 *
 * Return: 0 or -EINVAL (logged).
 */
int lab_name_check(const char *what, const char *name)
{
	struct log_msg m;

	return lab_name_check_try(what, name, &m) < 0 ? log_msg_report(&m) : 0;
}
