// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-netns oci-hook create|delete [--name NAME]: the OCI runtime hook.
 * At create it brings the loopback of the container's namespace up, and
 * names the namespace under /run/netns when asked (--name, or the
 * annotation plumb.netns-name, which wins) so that it can be inspected by
 * hand; at delete it removes that name.
 *
 * A name is removed only by the container it was made for: the same name may
 * be asked for by a second container (whose create then fails, and whose
 * poststop hooks runc still runs), or given as --name to every container.
 * So create records which container and which namespace the name is for, in
 * <STATE_DIR>/netns/<name>.json, and delete removes the name only when the
 * record says it is this container's and the name still is that namespace.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/netns.h>
#include <plumb/oci.h>
#include <plumb/state.h>

#include "netns.h"

static const struct option hook_options[] = {
	{ "name", required_argument, NULL, 'n' },
	{ 0 },
};

#define HOOK_KIND "netns"

/* The inode of the namespace named @name, 0 when there is none. */
static ino_t hook_name_ino(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	return stat(path, &st) < 0 ? 0 : st.st_ino;
}

/*
 * The name to give: the annotation's, which wins, or --name's. A bad one is
 * said in the terms of whoever gave it.
 */
static int hook_name_pick(const struct oci_state *s, const char **name)
{
	const char *v = oci_annotation(s, "plumb.netns-name");
	struct log_msg m;

	if (!v)
		return *name ? netns_name_check(*name) : 0;
	if (netns_name_check_try(v, &m) < 0)
		return log_errx(m.err, "annotation plumb.netns-name: %s", m.text);
	*name = v;
	return 0;
}

/* Name the namespace of the container and record for whom; all or nothing. */
static int hook_name(const struct oci_state *s, const char *name)
{
	json_t *rec;
	int ret;

	ret = netns_attach(name, s->pid);
	if (ret < 0)
		return ret;
	rec = json_pack("{s:s, s:I}", "id", s->id, "inode",
			(json_int_t)hook_name_ino(name));
	ret = rec ? state_record_write(STATE_DIR, HOOK_KIND, NULL, name, rec) :
		    log_err(-ENOMEM, "record network namespace name %s", name);
	json_decref(rec);
	if (ret < 0)
		netns_del(name);
	return ret;
}

static int hook_create(const struct oci_state *s, const char *name)
{
	char spec[32];
	struct nl_sock nl;
	int fd, ret;

	snprintf(spec, sizeof(spec), "pid:%d", (int)s->pid);
	fd = netns_open(spec);
	if (fd < 0)
		return fd;
	ret = nl_open_netns(&nl, NETLINK_ROUTE, fd);
	close(fd);
	if (ret < 0)
		return log_err(ret, "open rtnetlink socket in container %s", s->id);
	ret = nl_link_set_up(&nl, "lo");
	nl_close(&nl);
	if (ret == 0 && name)
		ret = hook_name(s, name);
	return ret;
}

static int hook_delete(const struct oci_state *s, const char *name)
{
	const char *id;
	json_int_t ino;
	json_t *rec;
	int ret = 0;

	if (!name)
		return 0;
	rec = state_record_read(STATE_DIR, HOOK_KIND, NULL, name, &ret);
	if (!rec)
		return ret == -ENOENT ? 0 : ret; /* deleted already, or never ours */
	/* The record is ours: jansson's getters, which say nothing, read it. */
	id = json_string_value(json_object_get(rec, "id"));
	if (!id || strcmp(id, s->id)) {
		json_decref(rec);
		return 0; /* another container's name: not ours to remove */
	}
	ino = json_integer_value(json_object_get(rec, "inode"));
	json_decref(rec);
	/* Gone, or deleted by hand and made again: only the record is left. */
	if (ino > 0 && hook_name_ino(name) == (ino_t)ino)
		ret = netns_del(name);
	if (ret == 0)
		ret = state_record_del(STATE_DIR, HOOK_KIND, NULL, name);
	return ret;
}

int cmd_oci_hook(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;
	enum oci_stage stage;
	struct oci_state s;
	int c, ret;

	(void)ctx;
	if (argc < 2 || oci_stage_parse(argv[1], &stage) < 0)
		return cmd_usage(argv[0], CMD_USAGE);
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", hook_options, NULL)) != -1) {
		if (c != 'n')
			return cmd_usage(argv[0], CMD_USAGE);
		name = optarg;
	}
	if (optind != argc)
		return cmd_usage(argv[0], CMD_USAGE);
	if (oci_state_read(STDIN_FILENO, stage, &s) < 0)
		return CMD_FAILED;
	ret = hook_name_pick(&s, &name);
	if (ret == 0)
		ret = stage == OCI_CREATE ? hook_create(&s, name) : hook_delete(&s, name);
	oci_state_free(&s);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
