/* SPDX-License-Identifier: GPL-2.0-or-later */
/* firewalld_bus: firewalld's D-Bus API, as lib/firewalld.c needs it; private to lib/. */
#ifndef PLUMB_FIREWALLD_BUS_H
#define PLUMB_FIREWALLD_BUS_H

#include <stddef.h>

#define FIREWALLD_BUS_SOCKET "/run/dbus/system_bus_socket"
#define FIREWALLD_ZONE_MAX 128 /* a zone's name as firewalld answers it */

struct sd_bus;

/**
 * struct firewalld_bus - a connection to a running firewalld
 * @bus:	the system bus, NULL when firewalld does not run
 * @zone_path:	object path of the permanent configuration of the zone
 *		firewalld_bus_bind() binds to, looked up on first use
 */
struct firewalld_bus {
	struct sd_bus *bus;
	char zone_path[128];
};

int firewalld_bus_open(struct firewalld_bus *fb);
void firewalld_bus_close(struct firewalld_bus *fb);
int firewalld_bus_zone_of(struct firewalld_bus *fb, int permanent, const char *ifname,
			  char *zone, size_t size);
int firewalld_bus_bind(struct firewalld_bus *fb, int permanent, const char *zone,
		       const char *ifname, int on);

#endif
