// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * firewalld_bus: the few calls of firewalld's D-Bus API
 * (org.fedoraproject.FirewallD1) that plumb makes, over sd-bus.
 *
 * Most hosts run no firewalld, so finding that out must cost next to
 * nothing. Without the system bus's socket nothing is done: no library is
 * loaded, no connection made. With it, libsystemd is loaded with dlopen
 * (linked in, it and its six libraries would add about 0.6 ms of CPU to
 * every start of every tool, D-Bus or not), and one call asks the bus
 * whether firewalld owns its name. No call ever starts firewalld (no
 * auto-start): it ran a moment ago, or it is not wanted.
 *
 * firewalld keeps two configurations: the runtime one, which takes effect
 * at once (interface org.fedoraproject.FirewallD1.zone on
 * /org/fedoraproject/FirewallD1), and the permanent one, which a reload or
 * a restart loads again (org.fedoraproject.FirewallD1.config, and one
 * object per zone under /org/fedoraproject/FirewallD1/config/zone/).
 * Its errors are org.fedoraproject.FirewallD1.Exception with a message
 * "CODE: details"; the code says when what was asked is so already.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include <plumb/log.h>

#include "firewalld_bus.h"

#define SDBUS_SONAME "libsystemd.so.0"

#define FWD_NAME "org.fedoraproject.FirewallD1"
#define FWD_PATH "/org/fedoraproject/FirewallD1"
#define FWD_ZONE_IFACE FWD_NAME ".zone"
#define FWD_CONFIG_PATH FWD_PATH "/config"
#define FWD_CONFIG_IFACE FWD_NAME ".config"
#define FWD_CONFIG_ZONE_IFACE FWD_NAME ".config.zone"

/*
 * How long one call may take. sd-bus's default is 25 s, and one setup makes
 * up to six calls under the lock of plumb's firewalld records: a firewalld
 * that hangs would then stall every setup past CRI's and CNI's own limits.
 * firewalld answers these calls in milliseconds.
 */
#define FWD_TIMEOUT_SEC 3
#define FWD_TIMEOUT_USEC (FWD_TIMEOUT_SEC * 1000000ULL)

/* --- sd-bus, loaded when there is a bus to talk to ----------------------- */

#define SDBUS_FUNCS(X)                    \
	X(sd_bus_new)                     \
	X(sd_bus_set_address)             \
	X(sd_bus_set_bus_client)          \
	X(sd_bus_set_method_call_timeout) \
	X(sd_bus_start)                   \
	X(sd_bus_flush_close_unref)       \
	X(sd_bus_call_method)             \
	X(sd_bus_message_new_method_call) \
	X(sd_bus_message_appendv)         \
	X(sd_bus_message_set_auto_start)  \
	X(sd_bus_call)                    \
	X(sd_bus_message_read)            \
	X(sd_bus_message_unref)           \
	X(sd_bus_error_free)

static struct {
	void *lib;
#define SDBUS_PTR(f) __typeof__(&f) f;
	SDBUS_FUNCS(SDBUS_PTR)
#undef SDBUS_PTR
} sdbus;

static int sdbus_load(void)
{
	void *lib;
	int ret;

	if (sdbus.lib)
		return 0;
	lib = dlopen(SDBUS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return log_errx(-ENOENT, "load %s to talk to firewalld: %s", SDBUS_SONAME,
				dlerror());
#define SDBUS_SYM(f)                                                       \
	sdbus.f = (__typeof__(sdbus.f))dlsym(lib, #f);                     \
	if (!sdbus.f) {                                                    \
		ret = log_errx(-ENOSYS, "%s has no %s", SDBUS_SONAME, #f); \
		goto err;                                                  \
	}
	SDBUS_FUNCS(SDBUS_SYM)
#undef SDBUS_SYM
	sdbus.lib = lib;
	return 0;
err:
	dlclose(lib);
	return ret;
}

/* --- calls --------------------------------------------------------------- */

/* A firewalld error "CODE: details" of code @code. */
static int fwd_error_is(const sd_bus_error *error, const char *code)
{
	size_t len = strlen(code);

	return error->message && !strncmp(error->message, code, len) &&
	       (error->message[len] == ':' || error->message[len] == '\0');
}

/* Log a failed call of @who's @member: @what, and why. Return: @ret. */
static int fwd_call_err(int ret, const sd_bus_error *error, const char *what,
			const char *who, const char *member)
{
	if (ret == -ETIMEDOUT)
		return log_errx(ret, "%s: %s did not answer %s within %d s", what, who,
				member, FWD_TIMEOUT_SEC);
	if (error->message)
		return log_errx(ret, "%s: %s", what, error->message);
	return log_err(ret, "%s", what);
}

/*
 * Call a method of firewalld's, waiting FWD_TIMEOUT_SEC at most. A
 * firewalld error of code @ok (what was asked is so already) is no failure.
 * Return: 0, 1 for @ok, or negative errno, logged as "@what: firewalld's
 * message" (-ETIMEDOUT: "firewalld did not answer @member").
 */
static int fwd_call(struct firewalld_bus *fb, sd_bus_message **reply, const char *ok,
		    const char *what, const char *path, const char *iface,
		    const char *member, const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	va_list ap;
	int ret;

	ret = sdbus.sd_bus_message_new_method_call(fb->bus, &m, FWD_NAME, path, iface,
						   member);
	if (ret >= 0) {
		va_start(ap, types);
		ret = sdbus.sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (ret >= 0)
		ret = sdbus.sd_bus_message_set_auto_start(m, 0);
	if (ret >= 0)
		ret = sdbus.sd_bus_call(fb->bus, m, FWD_TIMEOUT_USEC, &error, reply);
	if (ret >= 0)
		ret = 0;
	else if (ok && fwd_error_is(&error, ok))
		ret = 1;
	else
		ret = fwd_call_err(ret, &error, what, "firewalld", member);
	sdbus.sd_bus_error_free(&error);
	sdbus.sd_bus_message_unref(m);
	return ret;
}

/* Call a method of one string argument that answers a string (or object
 * path: @type "o"), into @out. */
static int fwd_call_str(struct firewalld_bus *fb, char *out, size_t size,
			const char *what, const char *path, const char *iface,
			const char *member, const char *type, const char *arg)
{
	sd_bus_message *reply = NULL;
	const char *s;
	int ret;

	ret = fwd_call(fb, &reply, NULL, what, path, iface, member, "s", arg);
	if (ret == 0) {
		ret = sdbus.sd_bus_message_read(reply, type, &s);
		if (ret < 0)
			log_err(ret, "%s: read the answer", what);
		else if ((size_t)snprintf(out, size, "%s", s) >= size)
			ret = log_errx(-EOVERFLOW, "%s: answer too long", what);
	}
	sdbus.sd_bus_message_unref(reply);
	return ret < 0 ? ret : 0;
}

/**
 * firewalld_bus_zone_of() - the zone an interface is bound to
 * @fb:		the connection
 * @permanent:	in the permanent configuration, else in the runtime one
 * @ifname:	the interface
 * @zone:	its zone, "" for none (the default zone then applies)
 * @size:	size of @zone
 *
 * Return: 0 or negative errno (logged).
 */
int firewalld_bus_zone_of(struct firewalld_bus *fb, int permanent, const char *ifname,
			  char *zone, size_t size)
{
	char what[96];

	snprintf(what, sizeof(what), "ask firewalld for the %s zone of %s",
		 permanent ? "permanent" : "runtime", ifname);
	return fwd_call_str(fb, zone, size, what, permanent ? FWD_CONFIG_PATH : FWD_PATH,
			    permanent ? FWD_CONFIG_IFACE : FWD_ZONE_IFACE,
			    "getZoneOfInterface", "s", ifname);
}

/* The object of @zone's permanent configuration, found once. */
static int fwd_zone_path(struct firewalld_bus *fb, const char *zone)
{
	char what[96];

	if (*fb->zone_path)
		return 0;
	snprintf(what, sizeof(what), "find firewalld's permanent zone %s", zone);
	return fwd_call_str(fb, fb->zone_path, sizeof(fb->zone_path), what,
			    FWD_CONFIG_PATH, FWD_CONFIG_IFACE, "getZoneByName", "o",
			    zone);
}

/**
 * firewalld_bus_bind() - bind an interface to a zone, or unbind it
 * @fb:		the connection
 * @permanent:	in the permanent configuration, else in the runtime one
 * @zone:	the zone (one zone for the connection's whole life)
 * @ifname:	the interface
 * @on:		bind, else unbind
 *
 * Return: 0, 1 when it was so already, or negative errno (logged).
 */
int firewalld_bus_bind(struct firewalld_bus *fb, int permanent, const char *zone,
		       const char *ifname, int on)
{
	const char *member = on ? "addInterface" : "removeInterface";
	char what[128];
	int ret;

	snprintf(what, sizeof(what), "%s %s %s firewalld's %s zone %s",
		 on ? "put bridge" : "take bridge", ifname, on ? "in" : "out of",
		 permanent ? "permanent" : "runtime", zone);
	if (!permanent)
		return fwd_call(fb, NULL, on ? "ZONE_ALREADY_SET" : "UNKNOWN_INTERFACE",
				what, FWD_PATH, FWD_ZONE_IFACE, member, "ss", zone,
				ifname);
	ret = fwd_zone_path(fb, zone);
	if (ret == 0)
		ret = fwd_call(fb, NULL, on ? "ALREADY_ENABLED" : "NOT_ENABLED", what,
			       fb->zone_path, FWD_CONFIG_ZONE_IFACE, member, "s", ifname);
	return ret;
}

/* --- the connection ------------------------------------------------------ */

/* Return: 1 when firewalld owns its name on the bus, 0 when not, -errno. */
static int fwd_running(struct firewalld_bus *fb)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int has = 0, ret;

	ret = sdbus.sd_bus_call_method(fb->bus, "org.freedesktop.DBus",
				       "/org/freedesktop/DBus", "org.freedesktop.DBus",
				       "NameHasOwner", &error, &reply, "s", FWD_NAME);
	if (ret >= 0)
		ret = sdbus.sd_bus_message_read(reply, "b", &has);
	if (ret < 0)
		ret = fwd_call_err(ret, &error, "ask the system bus whether firewalld runs",
				   "the system bus", "NameHasOwner");
	sdbus.sd_bus_error_free(&error);
	sdbus.sd_bus_message_unref(reply);
	return ret < 0 ? ret : !!has;
}

/* Return: 0 connected, 1 when no bus listens on the socket, or -errno. */
static int fwd_connect(struct firewalld_bus *fb)
{
	sd_bus *bus = NULL;
	int ret;

	ret = sdbus.sd_bus_new(&bus);
	if (ret >= 0)
		ret = sdbus.sd_bus_set_address(bus, "unix:path=" FIREWALLD_BUS_SOCKET);
	if (ret >= 0)
		ret = sdbus.sd_bus_set_bus_client(bus, 1);
	/* The bus's own calls (NameHasOwner, and the handshake) too. */
	if (ret >= 0)
		ret = sdbus.sd_bus_set_method_call_timeout(bus, FWD_TIMEOUT_USEC);
	if (ret >= 0)
		ret = sdbus.sd_bus_start(bus);
	if (ret < 0) {
		sdbus.sd_bus_flush_close_unref(bus);
		/* A socket left behind by a bus that is gone. */
		if (ret == -ECONNREFUSED || ret == -ENOENT)
			return 1;
		return log_err(ret, "connect to the system bus at %s",
			       FIREWALLD_BUS_SOCKET);
	}
	fb->bus = bus;
	return 0;
}

/**
 * firewalld_bus_open() - find out whether firewalld runs, and connect to it
 * @fb:		the connection, closed with firewalld_bus_close() whatever
 *		this returns
 *
 * Return: 1 when firewalld runs, 0 when it does not, or negative errno
 * (logged).
 */
int firewalld_bus_open(struct firewalld_bus *fb)
{
	int ret;

	*fb = (struct firewalld_bus){ 0 };
	if (access(FIREWALLD_BUS_SOCKET, F_OK) < 0)
		return 0;
	ret = sdbus_load();
	if (ret == 0)
		ret = fwd_connect(fb);
	if (ret > 0)
		return 0; /* no bus listens: no firewalld either */
	if (ret == 0)
		ret = fwd_running(fb);
	if (ret <= 0)
		firewalld_bus_close(fb);
	return ret;
}

/**
 * firewalld_bus_close() - close what firewalld_bus_open() opened
 * @fb:		the connection
 */
void firewalld_bus_close(struct firewalld_bus *fb)
{
	if (fb->bus)
		sdbus.sd_bus_flush_close_unref(fb->bus);
	fb->bus = NULL;
}
