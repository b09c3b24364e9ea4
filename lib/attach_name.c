// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach_name: the names of an attachment: its key (network, container id,
 * interface), its host veth's name and its record's name.
 *
 * Names no one can choose: the host veth's name is derived from the
 * attachment, and the attachment's id from its creator, who is less trusted
 * than the administrator (issue 11). An unkeyed hash (FNV-1a, before) let
 * anyone compute, offline and in minutes, an id whose name was another
 * container's, and then tear that veth down by deleting their own id. So
 * the name is SipHash-2-4 under the host's secret key (lib/state_key.c:
 * 16 random bytes made once under the state directory, 0600): without the
 * key, which ids give which names cannot be told, and a collision is a
 * 2^-48 guess per container started. The key lives as long as /run, as
 * every veth does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <plumb/attach.h>
#include <plumb/name.h>
#include <plumb/siphash.h>

/**
 * attach_key_check() - check the three names that make an attachment
 * @network:	network name (a file name: CNI rules)
 * @id:		container id (CNI rules)
 * @ifname:	interface name (kernel rules)
 *
 * Return: 0 or -EINVAL (logged).
 */
int attach_key_check(const char *network, const char *id, const char *ifname)
{
	if (name_check("network name", network) < 0 ||
	    name_check("container id", id) < 0 || nl_link_name_check(ifname) < 0)
		return -EINVAL;
	return 0;
}

/* Copy a checked name; @src may be @dst itself. */
static void attach_name_set(char *dst, size_t size, const char *src)
{
	if (dst != src)
		snprintf(dst, size, "%s", src);
}

/**
 * attach_key_set() - give an attachment its key, checked: network,
 * container id, interface
 * @a:		the attachment; only its key changes
 * @network:	network name (CNI rules); may be @a->network itself
 * @id:		container id (CNI rules); may be @a->id itself
 * @ifname:	interface name (kernel rules); may be @a->ifname itself
 *
 * Return: 0, or -EINVAL (logged) when a name is refused; @a is then as it
 * was.
 */
int attach_key_set(struct attachment *a, const char *network, const char *id,
		   const char *ifname)
{
	if (attach_key_check(network, id, ifname) < 0)
		return -EINVAL;
	attach_name_set(a->network, sizeof(a->network), network);
	attach_name_set(a->id, sizeof(a->id), id);
	attach_name_set(a->ifname, sizeof(a->ifname), ifname);
	return 0;
}

/**
 * attach_host_veth_name() - the name of an attachment's host veth
 * @key:	the host's secret key (state_key_get())
 * @network:	network name
 * @id:		container id
 * @ifname:	interface name in the container
 * @name:	"pl" and 12 hex digits (48 bits) of SipHash-2-4 under @key of
 *		the three, each ended by its NUL: stable while the key is, 14
 *		bytes, within IFNAMSIZ, and unpredictable without the key, so
 *		that no id can be chosen to give another attachment's name
 */
void attach_host_veth_name(const uint8_t key[STATE_KEY_LEN], const char *network,
			   const char *id, const char *ifname, char name[IF_NAMESIZE])
{
	const char *parts[] = { network, id, ifname };
	char in[2 * (ATTACH_ID_MAX + 1) + IF_NAMESIZE];
	size_t i, n, len = 0;

	for (i = 0; i < 3; i++) {
		/* Checked names fit; a longer one is cut, never overrun. */
		n = strnlen(parts[i], sizeof(in) - len - (3 - i));
		memcpy(in + len, parts[i], n);
		len += n;
		in[len++] = '\0';
	}
	snprintf(name, IF_NAMESIZE, "pl%012llx",
		 (unsigned long long)(siphash_2_4(key, in, len) & 0xffffffffffffULL));
}

/**
 * attach_record_name() - the name of an attachment's record in its network
 * @a:		the attachment
 * @buf:	"<id>:<ifname>" (':' is in neither)
 * @size:	room at @buf
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int attach_record_name(const struct attachment *a, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "%s:%s", a->id, a->ifname) >= size)
		return -ENAMETOOLONG;
	return 0;
}
