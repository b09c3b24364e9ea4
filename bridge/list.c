// SPDX-License-Identifier: GPL-2.0-or-later
/* plumb-bridge list: every attachment plumb made, from its records. */
#include <errno.h>
#include <stdio.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/state.h>

#include "bridge.h"

static int list_json(const struct attachment *a, void *arg)
{
	return json_array_append_new(arg, attach_to_json(a));
}

static int list_text(const struct attachment *a, void *arg)
{
	(void)arg;
	attachment_print(a, 0);
	return 0;
}

int cmd_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	json_t *all = NULL;
	int ret;

	if (argc != 1)
		return cmd_usage(argv[0], CMD_USAGE);
	if (ctx->json) {
		all = json_array();
		ret = all ? attach_for_each(STATE_DIR, NULL, list_json, all) : -ENOMEM;
		if (ret == 0)
			ret = json_write(stdout, all);
		json_decref(all);
	} else {
		ret = attach_for_each(STATE_DIR, NULL, list_text, NULL);
	}
	if (ret < 0)
		log_err(ret, "list attachments");
	return ret < 0 ? CMD_FAILED : CMD_OK;
}
