// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_owner: who holds an element of plumb's table. The owner is kept in the
 * element's comment and names the directory of its records; teardown
 * releases exactly what an owner holds, and a key held by another owner is a
 * conflict that names them.
 *
 * Owners come in namespaces that cannot be mistaken for one another, because
 * each is told by its form, and no one can write another's:
 *
 *   alice, lab/1         a person's, at the command line (--id): never an '@'
 *   container@web        an OCI container's, by its id (plumb-nat's hook)
 *   network@plumb0       a network's: the masquerade of its subnets, shared by
 *                        its containers (hooks and CNI plugins alike)
 *   cni@net1/c1/eth0     a CNI attachment's: network, container id, interface
 *   lab@lab1             a plumb-lab lab's, by its name
 *
 * nat_owner_check() refuses an '@' in a person's owner; container ids and
 * network names hold neither '@' nor '/'. When the name would not fit an
 * element's comment (NFT_OWNER_MAX), the part after '@' is '=' and a 64-bit
 * hash of it (container@=0123456789abcdef), which keeps the kind; no id or
 * name holds '=', so no plain owner has that form. Messages describe an
 * owner in its user's terms: "container web", "network plumb0", "CNI
 * attachment net1/c1/eth0", "alice".
 *
 * The hash is SipHash-2-4 under a public key: what it must resist is an id
 * chosen to hash as another container's long id does (a second preimage).
 * FNV-1a, before, had a 64-bit state that each byte changes invertibly, so a
 * meet-in-the-middle search finds one in about 2^32 steps; SipHash's state
 * is 256 bits, and no shortcut below trying 2^64 ids is known, key known or
 * not. (Veth names, 48 bits, need the host's secret key: lib/attach.c.)
 *
 * Earlier versions gave containers and networks their bare names ("web",
 * "plumb0"), where a container named plumb0 or web was mistaken for a
 * network or a person, and CNI attachments "net1/c1/eth0" or "cni-<hash>",
 * which a container id could be too; and hashed owners "container@<hash>",
 * which was also the plain owner of a container whose id was that hash
 * (nat_owner_make_earlier()). A running host keeps such elements
 * across an upgrade, and they must still go away: a network's element held
 * under its bare name is the network's (nat_owner_same()); plumb-nat's CNI
 * DEL releases the owner its record names; its OCI hook releases, of the
 * bare container id, only ports to the container's own addresses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/siphash.h>

/**
 * nat_owner_check() - check an owner a person names at the command line
 * @owner:	1 to 127 bytes (it is kept in element comments): letters,
 *		digits, '_', '.', '-' and '/', starting with a letter or digit;
 *		never '@', which marks the owners of containers, networks and
 *		CNI attachments
 *
 * Return: 0 or -EINVAL (logged).
 */
int nat_owner_check(const char *owner)
{
	const char *c;

	if (!*owner || strlen(owner) > NFT_OWNER_MAX)
		return log_errx(-EINVAL, "invalid owner \"%.32s\": want 1 to %d bytes",
				owner, NFT_OWNER_MAX);
	for (c = owner; *c; c++) {
		int alnum = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9');

		if (!alnum && (c == owner || !strchr("_.-/", *c)))
			return log_errx(-EINVAL,
					"invalid owner \"%s\": only letters, "
					"digits, '_', '.', '-' and '/' (not first)",
					owner);
	}
	return 0;
}

static int nat_owner_plain(const char *s)
{
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	}
	return 1;
}

/* The public key of owners' hashes: "plumb owner key". */
static const uint8_t nat_owner_key[SIPHASH_KEY_LEN] = "plumb owner key";

/* The parts, each ended by its NUL, in @in; Return: their length. */
static size_t nat_owner_parts(const char *const parts[], size_t n, char *in, size_t size)
{
	size_t i, k, len = 0;

	for (i = 0; i < n && len < size; i++) {
		k = strnlen(parts[i], size - len - 1);
		memcpy(in + len, parts[i], k);
		len += k;
		in[len++] = '\0';
	}
	return len;
}

/* Would "<kind>@<part>/<part>..." be the owner? It is then in @buf. */
static int nat_owner_plain_make(const char *kind, const char *const parts[], size_t n,
				char *buf, size_t size)
{
	size_t i, len;
	int plain = 1;

	len = (size_t)snprintf(buf, size, "%s@", kind);
	for (i = 0; i < n; i++) {
		plain &= nat_owner_plain(parts[i]);
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						i ? "/" : "", parts[i]);
	}
	return plain && len <= NFT_OWNER_MAX;
}

/**
 * nat_owner_make() - the owner of what plumb's hooks and plugins make
 * @kind:	NAT_OWNER_CONTAINER, NAT_OWNER_NETWORK or NAT_OWNER_CNI
 * @parts:	the names it is made of: a container id; a network name;
 *		network, container id and interface
 * @n:		how many
 * @buf:	"<kind>@<part>/<part>...", or "<kind>@=" and 16 hex digits of a
 *		hash (SipHash-2-4) of the parts when that would not fit an
 *		element's comment or a part holds what owners cannot (an
 *		interface name may)
 * @size:	room at @buf, at least NFT_OWNER_MAX + 1
 */
void nat_owner_make(const char *kind, const char *const parts[], size_t n, char *buf,
		    size_t size)
{
	char in[3 * 256];

	if (nat_owner_plain_make(kind, parts, n, buf, size))
		return;
	snprintf(buf, size, "%s@=%016llx", kind,
		 (unsigned long long)siphash_2_4(
			 nat_owner_key, in, nat_owner_parts(parts, n, in, sizeof(in))));
}

/**
 * nat_owner_make_earlier() - the hashed owner of earlier versions
 * @kind:	as nat_owner_make()
 * @parts:	as nat_owner_make()
 * @n:		how many
 * @buf:	"<kind>@" and 16 hex digits of FNV-1a of the parts: a form a
 *		plain owner may have too, so what it holds is released only
 *		where it cannot be another's (the container's own addresses)
 * @size:	room at @buf, at least NFT_OWNER_MAX + 1
 *
 * Return: 1, or 0 when the owner was never hashed (@buf is then the plain
 * owner, the same now as then).
 */
int nat_owner_make_earlier(const char *kind, const char *const parts[], size_t n,
			   char *buf, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char in[3 * 256];
	size_t i, len;

	if (nat_owner_plain_make(kind, parts, n, buf, size))
		return 0;
	len = nat_owner_parts(parts, n, in, sizeof(in));
	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)in[i]) * 0x100000001b3ULL;
	snprintf(buf, size, "%s@%016llx", kind, (unsigned long long)h);
	return 1;
}

/**
 * nat_owner_network() - the owner of what a network shares: its masquerade
 * @network:	the network's name
 * @buf:	"network@NAME"
 */
void nat_owner_network(const char *network, char buf[NFT_OWNER_MAX + 1])
{
	nat_owner_make(NAT_OWNER_NETWORK, &network, 1, buf, NFT_OWNER_MAX + 1);
}

/**
 * nat_owner_container() - the owner of what an OCI container publishes
 * @id:		the container's id
 * @buf:	"container@ID"
 */
void nat_owner_container(const char *id, char buf[NFT_OWNER_MAX + 1])
{
	nat_owner_make(NAT_OWNER_CONTAINER, &id, 1, buf, NFT_OWNER_MAX + 1);
}

/**
 * nat_owner_describe() - an owner in its user's terms, for messages
 * @owner:	the owner
 * @buf:	"container web", "network plumb0", "CNI attachment net1/c1/eth0",
 *		or a person's owner as it is
 * @size:	room at @buf
 *
 * Return: @buf
 */
const char *nat_owner_describe(const char *owner, char *buf, size_t size)
{
	static const struct {
		const char *kind;
		const char *words;
	} kinds[] = {
		{ NAT_OWNER_CONTAINER, "container" },
		{ NAT_OWNER_NETWORK, "network" },
		{ NAT_OWNER_CNI, "CNI attachment" },
		{ NAT_OWNER_LAB, "lab" },
	};
	const char *at = strchr(owner, '@');
	size_t i;

	for (i = 0; at && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].kind) == (size_t)(at - owner) &&
		    !strncmp(owner, kinds[i].kind, (size_t)(at - owner))) {
			/* A hash, as earlier versions wrote it: the '=' says only
			 * that no name has that form. */
			snprintf(buf, size, "%s %s", kinds[i].words,
				 at + 1 + (at[1] == '='));
			return buf;
		}
	}
	snprintf(buf, size, "%s", *owner ? owner : "someone unknown");
	return buf;
}

/**
 * nat_owner_same() - is an element's holder the owner about to add it?
 * @held:	the owner in the element's comment
 * @owner:	the owner adding it
 *
 * Also when one is a network's and the other that network's bare name, the
 * form of earlier versions, which a running host keeps after an upgrade.
 *
 * Return: 1 or 0.
 */
int nat_owner_same(const char *held, const char *owner)
{
	size_t k = strlen(NAT_OWNER_NETWORK "@");

	if (!strcmp(held, owner))
		return 1;
	if (!strncmp(owner, NAT_OWNER_NETWORK "@", k) && !strcmp(held, owner + k))
		return 1;
	return !strncmp(held, NAT_OWNER_NETWORK "@", k) && !strcmp(owner, held + k);
}

/* Copy @s to @buf, every @from in it becoming @to. */
static void nat_name_swap(const char *s, char from, char to, char *buf, size_t size)
{
	char *c;

	snprintf(buf, size, "%s", s);
	for (c = buf; *c; c++) {
		if (*c == from)
			*c = to;
	}
}

/**
 * nat_owner_group() - the directory of an owner's records
 * @owner:	the owner; '/' becomes ':', which owners never hold
 * @buf:	the name
 * @size:	room at @buf
 */
void nat_owner_group(const char *owner, char *buf, size_t size)
{
	nat_name_swap(owner, '/', ':', buf, size);
}

/**
 * nat_group_owner() - the owner whose records are in a directory
 * @group:	the directory's name (nat_owner_group())
 * @buf:	the owner
 * @size:	room at @buf
 */
void nat_group_owner(const char *group, char *buf, size_t size)
{
	nat_name_swap(group, ':', '/', buf, size);
}
