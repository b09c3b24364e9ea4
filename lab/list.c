// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-lab list: the labs that are up, from their records. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>

#include "record.h"
#include "verbs.h"

static int list_one(const char *name, json_t *rec, void *arg)
{
	json_t *o = json_pack("{s:s, s:s?, s:s?, s:I}", "name", name, "file",
			      json_string_value(json_object_get(rec, "file")), "prefix",
			      json_string_value(json_object_get(rec, "prefix")), "namespaces",
			      (json_int_t)json_array_size(json_object_get(rec, "namespaces")));

	return json_array_append_new(arg, o) < 0 ? -ENOMEM : 0;
}

int cmd_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	json_t *all = json_array(), *o;
	int json = ctx->json, ret;
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "-j"))
		json = 1;
	else if (argc != 1)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = all ? lab_record_for_each(list_one, all) : -ENOMEM;
	if (ret < 0) {
		log_err(ret, "list labs");
	} else if (json) {
		json_write(stdout, all);
	} else {
		json_array_foreach(all, i, o)
			printf("%s\t%lld nodes\t%s\n", json_string_value(json_object_get(o, "name")),
			       json_integer_value(json_object_get(o, "namespaces")),
			       json_string_value(json_object_get(o, "file")));
	}
	json_decref(all);
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
