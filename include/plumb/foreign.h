/* SPDX-License-Identifier: GPL-2.0-or-later */
/* foreign: other firewalls that filter forwarding, and what plumb keeps in them. */
#ifndef PLUMB_FOREIGN_H
#define PLUMB_FOREIGN_H

#include <stddef.h>

#include <plumb/inet.h>

/*
 * The comment that tags every rule plumb puts in a chain that is not its
 * own: how plumb finds its rules again, and how a person reading the
 * ruleset learns whose they are and how they go.
 */
#define FOREIGN_TAG "plumb: lets plumb bridges through; plumb-nat flush removes it"

/**
 * struct foreign_net - one of plumb's networks, as a firewall sees it
 * @network:	its name
 * @bridge:	its bridge, in the namespace the adapter is called for
 * @n_subnets:	how many subnets
 * @subnets:	its subnets (no host bits)
 */
struct foreign_net {
	const char *network;
	const char *bridge;
	size_t n_subnets;
	const struct inet_prefix *subnets;
};

/**
 * struct foreign_adapter - what plumb does for one kind of foreign firewall
 * @name:	"nftables", "iptables-legacy", "firewalld"
 * @admit:	let plumb's bridges' traffic through that firewall: what
 *		every network shares (a rule that matches all of plumb's
 *		bridges), and what each of @nets needs of its own. Idempotent,
 *		and quiet when there is nothing to do (no such firewall, or
 *		all is there). Return: 0 or negative errno (logged).
 * @withdraw:	remove all that @admit ever added in the namespace, leaving
 *		the firewall as it was. Return: 0 or negative errno (logged).
 */
struct foreign_adapter {
	const char *name;
	int (*admit)(int netns_fd, const struct foreign_net *nets, size_t n);
	int (*withdraw)(int netns_fd);
};

int foreign_admit(int netns_fd, const struct foreign_net *nets, size_t n);
int foreign_withdraw(int netns_fd);
int foreign_reconcile(int netns_fd);

/* The adapters (lib/foreign_*.c, lib/firewalld.c), for foreign.c's list. */
int foreign_nft_admit(int netns_fd, const struct foreign_net *nets, size_t n);
int foreign_nft_withdraw(int netns_fd);
int foreign_xt_admit(int netns_fd, const struct foreign_net *nets, size_t n);
int foreign_xt_withdraw(int netns_fd);
int foreign_firewalld_admit(int netns_fd, const struct foreign_net *nets, size_t n);
int foreign_firewalld_withdraw(int netns_fd);

#endif
