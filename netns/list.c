// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-netns list: the names in /run/netns, in the order "ip netns list"
 * gives them, with the namespace's inode, its id and the processes inside.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/nl.h>

#include "netns.h"

struct ns_entry {
	char *name;
	int is_netns;
	dev_t dev;
	ino_t ino;
	int nsid; /* -1: none assigned */
	json_t *pids;
};

struct ns_list {
	struct nl_sock nl;
	struct ns_entry *v;
	size_t n;
	size_t cap;
};

static int ns_list_add(const char *name, void *arg)
{
	struct ns_list *l = arg;
	struct ns_entry *e;
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct ns_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return log_err(-ENOMEM, "list network namespaces");
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	*e = (struct ns_entry){ .nsid = -1, .name = strdup(name), .pids = json_array() };
	if (!e->name || !e->pids) {
		free(e->name);
		json_decref(e->pids);
		return log_err(-ENOMEM, "list network namespaces");
	}
	l->n++;

	/* A name with no namespace mounted on it is listed, without details. */
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (netns_check_fd_try(fd, path, NULL) == 0 && fstat(fd, &st) == 0) {
		e->is_netns = 1;
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		e->nsid = netns_get_id(&l->nl, fd);
	}
	close(fd);
	return 0;
}

static int ns_list_pid(pid_t pid, dev_t dev, ino_t ino, void *arg)
{
	struct ns_list *l = arg;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].is_netns && l->v[i].dev == dev && l->v[i].ino == ino)
			json_array_append_new(l->v[i].pids, json_integer(pid));
	}
	return 0;
}

static json_t *ns_entry_json(const struct ns_entry *e)
{
	json_t *o = json_pack("{s:s}", "name", e->name);

	if (!o || !e->is_netns)
		return o;
	json_object_set_new(o, "inode", json_integer((json_int_t)e->ino));
	json_object_set_new(o, "nsid",
			    e->nsid >= 0 ? json_integer(e->nsid) : json_null());
	json_object_set(o, "pids", e->pids);
	return o;
}

static int ns_list_print(const struct ns_list *l, int json)
{
	json_t *arr;
	size_t i;
	int ret;

	if (!json) {
		/* Names only, one a line, for "for ns in $(plumb-netns list)";
		 * -j has the ids. */
		for (i = 0; i < l->n; i++)
			printf("%s\n", l->v[i].name);
		return 0;
	}
	arr = json_array();
	for (i = 0; arr && i < l->n; i++) {
		if (json_array_append_new(arr, ns_entry_json(&l->v[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (!arr)
		return log_err(-ENOMEM, "list network namespaces");
	ret = json_write(stdout, arr);
	json_decref(arr);
	return ret;
}

int cmd_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ns_list l = { 0 };
	size_t i;
	int ret;

	if (argc != 1)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = nl_open(&l.nl, NETLINK_ROUTE);
	if (ret < 0) {
		log_err(ret, "open rtnetlink socket");
		return CMD_FAILED;
	}
	ret = netns_for_each(ns_list_add, &l);
	if (ret == 0 && ctx->json)
		ret = netns_for_each_pid(ns_list_pid, &l);
	if (ret == 0)
		ret = ns_list_print(&l, ctx->json);
	for (i = 0; i < l.n; i++) {
		free(l.v[i].name);
		json_decref(l.v[i].pids);
	}
	free(l.v);
	nl_close(&l.nl);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
