// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_value: the values of a topology file, read one node at a time, and
 * its errors.
 *
 * Theory of operation: every reader takes one YAML node and what it is (the
 * key it is the value of: "forward", "mtu"), and either fills its output or
 * refuses the node with one message, logged where the fault is decided,
 * that names the file, the line and the column of the node, and the key: a
 * caller passes the error on and adds none of its own. Each node is read
 * once (topo_node()): a second read can only be an alias, refused. The
 * sections (topo_nodes.c, topo_bridges.c, topo_links.c) are built of these
 * readers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <plumb/link.h>
#include <plumb/log.h>

#include "topo.h"

/**
 * topo_pos() - where a node of the file starts
 * @n:		the node
 *
 * Return: its line and column, from 1.
 */
struct lab_pos topo_pos(const yaml_node_t *n)
{
	return (struct lab_pos){ .line = (int)n->start_mark.line + 1,
				 .col = (int)n->start_mark.column + 1 };
}

static int topo_verr(const char *file, struct lab_pos pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int topo_verr(const char *file, struct lab_pos pos, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return log_errx(-EINVAL, "%s:%d:%d: %s", file, pos.line, pos.col, msg);
}

/**
 * topo_err() - refuse the file, saying where
 * @t:		the file
 * @n:		the node at fault
 * @fmt:	what is wrong
 *
 * Return: -EINVAL
 */
int topo_err(struct topo *t, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = topo_verr(t->file, topo_pos(n), fmt, ap);
	va_end(ap);
	return ret;
}

/**
 * lab_err_at() - refuse a topology, saying where in its file
 * @lab:	the topology
 * @pos:	where
 * @fmt:	what is wrong
 *
 * Return: -EINVAL
 */
int lab_err_at(const struct lab *lab, struct lab_pos pos, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = topo_verr(lab->file, pos, fmt, ap);
	va_end(ap);
	return ret;
}

/**
 * topo_err_msg() - refuse the file with what a check of lib's said
 * @t:		the file
 * @n:		the node that was checked
 * @m:		what the check (a *_try() function) found wrong
 *
 * Return: -EINVAL
 */
int topo_err_msg(struct topo *t, const yaml_node_t *n, const struct log_msg *m)
{
	return topo_err(t, n, "%s", m->text);
}

/**
 * topo_node() - a node of the document, read once
 * @t:		the file
 * @index:	its index
 *
 * Return: the node, or NULL (logged) when it was read already (an alias).
 */
yaml_node_t *topo_node(struct topo *t, int index)
{
	yaml_node_t *n = yaml_document_get_node(&t->doc, index);
	size_t i = (size_t)(index - 1);

	if (!n || i >= t->n_seen) {
		log_errx(-EINVAL, "%s: malformed YAML document", t->file);
		return NULL;
	}
	if (t->seen[i]) {
		/* Where the alias is, libyaml does not keep: its key is close. */
		topo_err(t, t->key ? t->key : n,
			 "this value is used a second time (a YAML alias); "
			 "write it out again instead");
		return NULL;
	}
	t->seen[i] = 1;
	return n;
}

/**
 * topo_is_null() - tell whether a node is YAML's null: "", "~", "null"
 * @n:		the node
 */
int topo_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static const char *topo_type_name(yaml_node_type_t type)
{
	switch (type) {
	case YAML_SCALAR_NODE:
		return "a value";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/**
 * topo_want() - refuse a node that is not of the type expected
 * @t:		the file
 * @n:		the node
 * @type:	YAML_SCALAR_NODE, YAML_SEQUENCE_NODE or YAML_MAPPING_NODE
 * @what:	what it is, for the message: "nodes"
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_want(struct topo *t, const yaml_node_t *n, yaml_node_type_t type,
	      const char *what)
{
	if (n->type == type)
		return 0;
	return topo_err(t, n, "%s: want %s, not %s", what, topo_type_name(type),
			topo_type_name(n->type));
}

/*
 * The text of a scalar, for a reader that wants @want of it ("true or
 * false"); NULL (logged) for a list, a mapping, or a NUL byte in the value.
 */
static const char *topo_scalar(struct topo *t, const yaml_node_t *n, const char *what,
			       const char *want)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE) {
		topo_err(t, n, "%s: want %s, not %s", what, want,
			 topo_type_name(n->type));
		return NULL;
	}
	v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length) {
		topo_err(t, n, "%s: a NUL byte in the value", what);
		return NULL;
	}
	return v;
}

/**
 * topo_str() - a scalar as a string
 * @t:		the file
 * @n:		the node
 * @what:	what it is, for the message
 * @buf:	the string
 * @size:	room at @buf
 *
 * Return: 0, or -EINVAL (logged) for a list or mapping, a value too long,
 * or one with a NUL byte in it (YAML's "\0").
 */
int topo_str(struct topo *t, const yaml_node_t *n, const char *what, char *buf,
	     size_t size)
{
	const char *v = topo_scalar(t, n, what, "a value");
	size_t len;

	if (!v)
		return -EINVAL;
	len = n->data.scalar.length;
	if (len >= size)
		return topo_err(t, n, "%s: \"%.32s...\" is longer than %zu bytes", what,
				v, size - 1);
	memcpy(buf, v, len + 1);
	return 0;
}

/**
 * topo_bool() - a scalar as a boolean
 * @t:		the file
 * @n:		the node
 * @what:	what it is, for the message
 * @out:	1 or 0
 *
 * YAML 1.1's words are taken, as libyaml reads that version: true, yes,
 * on, and false, no, off, in lower, title or upper case.
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_bool(struct topo *t, const yaml_node_t *n, const char *what, int *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	const char *v = topo_scalar(t, n, what, "true or false");
	size_t i;

	if (!v)
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*out = !strcasecmp(v, yes[i]);
			return 0;
		}
	}
	return topo_err(t, n, "%s: want true or false, not \"%.32s%s\"", what, v,
			strlen(v) > 32 ? "..." : "");
}

/**
 * topo_uint() - a scalar as a number
 * @t:		the file
 * @n:		the node
 * @what:	what it is, for the message
 * @min:	smallest allowed
 * @max:	largest allowed
 * @out:	the number
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_uint(struct topo *t, const yaml_node_t *n, const char *what, unsigned long min,
	      unsigned long max, unsigned long *out)
{
	char want[64], *end;
	const char *v;
	unsigned long u;

	snprintf(want, sizeof(want), "a number from %lu to %lu", min, max);
	v = topo_scalar(t, n, what, want);
	if (!v)
		return -EINVAL;
	errno = 0;
	u = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end || errno || u < min || u > max)
		return topo_err(t, n, "%s: want %s, not \"%.32s%s\"", what, want, v,
				strlen(v) > 32 ? "..." : "");
	*out = u;
	return 0;
}

/**
 * topo_name() - a scalar as a lab, node or bridge name (lab_name_check())
 * @t:		the file
 * @n:		the node
 * @what:	what it is, for the message
 * @buf:	the name, LAB_NAME_MAX + 1 bytes
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_name(struct topo *t, const yaml_node_t *n, const char *what, char *buf)
{
	struct log_msg m;

	if (topo_str(t, n, what, buf, LAB_NAME_MAX + 1) < 0)
		return -EINVAL;
	return lab_name_check_try(what, buf, &m) < 0 ? topo_err_msg(t, n, &m) : 0;
}

/**
 * topo_ifname() - a scalar as an interface name (nl_link_name_check())
 * @t:		the file
 * @n:		the node
 * @what:	what it is, for the message
 * @buf:	the name, IF_NAMESIZE bytes
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_ifname(struct topo *t, const yaml_node_t *n, const char *what, char *buf)
{
	char name[64];

	if (topo_str(t, n, what, name, sizeof(name)) < 0)
		return -EINVAL;
	return topo_ifname_check(t, n, name, buf);
}

/**
 * topo_ifname_check() - check an interface name written in a node
 * @t:		the file
 * @n:		the node
 * @name:	the name
 * @buf:	a copy, IF_NAMESIZE bytes
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_ifname_check(struct topo *t, const yaml_node_t *n, const char *name, char *buf)
{
	struct log_msg m;

	if (nl_link_name_check_try(name, &m) < 0)
		return topo_err_msg(t, n, &m);
	memcpy(buf, name, strlen(name) + 1);
	return 0;
}

/**
 * topo_key() - the key and value of a mapping pair
 * @t:		the file
 * @pair:	the pair
 * @buf:	the key
 * @size:	room at @buf
 * @value:	the value's node
 *
 * Return: 0 or -EINVAL (logged).
 */
int topo_key(struct topo *t, const yaml_node_pair_t *pair, char *buf, size_t size,
	     yaml_node_t **value)
{
	yaml_node_t *key = topo_node(t, pair->key);

	if (!key || topo_str(t, key, "key", buf, size) < 0)
		return -EINVAL;
	t->key = key;
	*value = topo_node(t, pair->value);
	return *value ? 0 : -EINVAL;
}

static int topo_key_cmp(const void *a, const void *b)
{
	const yaml_node_t *const *x = a, *const *y = b;

	if ((*x)->type != YAML_SCALAR_NODE || (*y)->type != YAML_SCALAR_NODE)
		return (int)(*x)->type - (int)(*y)->type;
	return strcmp((const char *)(*x)->data.scalar.value,
		      (const char *)(*y)->data.scalar.value);
}

/**
 * topo_dup_keys() - refuse a mapping that has a key twice
 * @t:		the file
 * @map:	the mapping
 *
 * Sorted, so that a mapping of thousands of nodes is checked quickly.
 *
 * Return: 0 or -EINVAL (logged, at the second one).
 */
int topo_dup_keys(struct topo *t, const yaml_node_t *map)
{
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	const yaml_node_t **keys;
	yaml_node_pair_t *pair;
	size_t i = 0;
	int ret = 0;

	if (n < 2)
		return 0;
	keys = calloc(n, sizeof(*keys));
	if (!keys)
		return log_err(-ENOMEM, "read %s", t->file);
	topo_for_pairs(map, pair)
		keys[i++] = yaml_document_get_node(&t->doc, pair->key);
	for (i = 0; i < n && ret == 0; i++) {
		if (!keys[i])
			ret = log_errx(-EINVAL, "%s: malformed YAML document", t->file);
	}
	if (ret == 0)
		qsort(keys, n, sizeof(*keys), topo_key_cmp);
	for (i = 1; i < n && ret == 0; i++) {
		if (keys[i]->type == YAML_SCALAR_NODE &&
		    !topo_key_cmp(&keys[i - 1], &keys[i]))
			ret = topo_err(t,
				       keys[i]->start_mark.index >
						       keys[i - 1]->start_mark.index ?
					       keys[i] :
					       keys[i - 1],
				       "\"%s\" is given twice",
				       (const char *)keys[i]->data.scalar.value);
	}
	free(keys);
	return ret;
}

/**
 * topo_grow() - make room for one more element at the end of an array
 * @array:	the array (NULL for none yet)
 * @n:		elements in it
 * @size:	bytes of one
 *
 * Return: the array, moved perhaps, the new element zeroed; NULL when out
 * of memory (@array is then still valid).
 */
void *topo_grow(void *array, size_t n, size_t size)
{
	char *a = array;

	/* Doubling at each power of two: amortized O(1) appends. */
	if (n && (n & (n - 1)) == 0) {
		a = realloc(array, 2 * n * size);
		if (!a)
			return NULL;
	} else if (!n) {
		a = malloc(size);
		if (!a)
			return NULL;
	}
	memset(a + n * size, 0, size);
	return a;
}
/**
 * topo_append() - one more element at the end of an array of a lab's
 * @arrayp:	a pointer to the array pointer (NULL for none yet)
 * @n:		elements in it, incremented
 * @size:	bytes of one
 *
 * Return: the new element, zeroed; NULL when out of memory.
 */
void *topo_append(void *arrayp, size_t *n, size_t size)
{
	void *array, *grown;

	memcpy(&array, arrayp, sizeof(array));
	grown = topo_grow(array, *n, size);
	if (!grown)
		return NULL;
	memcpy(arrayp, &grown, sizeof(grown));
	return (char *)grown + (*n)++ * size;
}
