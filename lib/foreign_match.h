/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * foreign_match: the x_tables match of plumb's rules in other firewalls,
 * shared by the two adapters that write iptables' words (foreign_nft.c, for
 * iptables-nft's chains, and foreign_xt.c, for iptables-legacy's tables).
 */
#ifndef PLUMB_FOREIGN_MATCH_H
#define PLUMB_FOREIGN_MATCH_H

#include <linux/netfilter/xt_devgroup.h>

#include <plumb/bridge.h>

/* -m devgroup --src-group (or, with @out, --dst-group) plumb's group */
static inline struct xt_devgroup_info foreign_devgroup(int out)
{
	if (out)
		return (struct xt_devgroup_info){ .flags = XT_DEVGROUP_MATCH_DST,
						  .dst_group = BRIDGE_GROUP,
						  .dst_mask = ~0U };
	return (struct xt_devgroup_info){ .flags = XT_DEVGROUP_MATCH_SRC,
					  .src_group = BRIDGE_GROUP,
					  .src_mask = ~0U };
}

#endif
