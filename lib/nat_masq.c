// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_masq: masquerade of what leaves a container subnet, one element of
 * masq4 or masq6 per subnet (see nft_rules.c), with the destinations it
 * spares (nat_nomasq.c) set first. Every change goes through lib/nat.c, whose
 * top comment says how it is recorded, checked and committed.
 */
#include <errno.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>
#include <plumb/nat.h>

#include "nat_txn.h"

static json_t *nat_masq_json(const struct inet_prefix *subnet)
{
	char buf[INET_PREFIX_STRLEN];

	return json_pack("{s:s, s:s}", "type", "masq", "subnet",
			 inet_prefix_str(subnet, buf, sizeof(buf)));
}

static int nat_masq_overlap_one(const struct inet_prefix *other, const struct nft_elem *e,
				void *arg)
{
	const struct inet_prefix *subnet = arg;
	char a[INET_PREFIX_STRLEN], b[INET_PREFIX_STRLEN], who[NAT_WHO_MAX];

	/* The very subnet is nat_apply()'s to judge, with its owner. */
	if (other->len == subnet->len || (!inet_prefix_contains(other, &subnet->addr) &&
					  !inet_prefix_contains(subnet, &other->addr)))
		return 0;
	return log_errx(-EADDRINUSE, "%s overlaps %s, which %s masquerades",
			inet_prefix_str(subnet, a, sizeof(a)),
			inet_prefix_str(other, b, sizeof(b)),
			nat_owner_describe(e->owner, who, sizeof(who)));
}

/*
 * A masqueraded subnet that overlaps @subnet is named with its owner: the
 * kernel would only say "File exists". Prefixes overlap when one holds the
 * other's first address.
 */
static int nat_masq_overlap(struct nat *nat, const struct inet_prefix *subnet)
{
	int ret = nat_masq_for_each(
		nat, subnet->addr.family == AF_INET6 ? NFT_MASQ6 : NFT_MASQ4,
		nat_masq_overlap_one, (void *)subnet);

	return ret == -ENOMEM ? log_err(ret, "list masqueraded subnets") : ret;
}

/**
 * nat_masq_add() - masquerade traffic leaving a container subnet
 * @nat:	the handle
 * @subnet:	the subnet, no host bits
 * @owner:	who asks
 *
 * Return: 0, -EADDRINUSE (logged) when another owner has it or a subnet
 * that overlaps it is masqueraded, or another negative errno (logged).
 */
int nat_masq_add(struct nat *nat, const struct inet_prefix *subnet, const char *owner)
{
	char name[NAT_NAME_MAX];
	struct nft_elem e;
	json_t *rec = nat_masq_json(subnet);
	int ret, fresh;

	if (!rec)
		return log_err(-ENOMEM, "masquerade");
	nat_masq_record_name(subnet, name, sizeof(name));
	ret = nat_masq_overlap(nat, subnet);
	fresh = ret = ret < 0 ? ret : nat_record_intent(nat, owner, name, rec);
	nat_masq_elem(subnet, owner, &e);
	if (ret >= 0)
		ret = nat_apply_add(nat, &e, 1, 0);
	if (ret < 0 && fresh > 0)
		nat_record_del(nat, owner, name);
	json_decref(rec);
	return ret;
}

/* Whether a subnet's masquerade is in place, as its owner made it. */
static int nat_masq_check(struct nat *nat, const struct inet_prefix *subnet,
			  const char *owner)
{
	struct nft_elem e;

	nat_masq_elem(subnet, owner, &e);
	return nat_elem_check(nat, &e);
}

/* The subnet of each address: its destinations spared, its masquerade. */
static int nat_masq_each(struct nat *nat, const struct inet_prefix *ips, size_t n,
			 int masq, const struct inet_prefix *to, size_t n_to,
			 const char *owner, int check)
{
	struct inet_prefix subnet;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++) {
		if (!ips[i].addr.family)
			continue;
		subnet = ips[i];
		inet_prefix_mask(&subnet);
		if (to)
			ret = check ? nat_nomasq_check(nat, &subnet, to, n_to, owner) :
				      nat_nomasq_set(nat, &subnet, to, n_to, owner);
		if (ret == 0 && masq)
			ret = check ? nat_masq_check(nat, &subnet, owner) :
				      nat_masq_add(nat, &subnet, owner);
	}
	return ret;
}

/**
 * nat_masq_add_each() - masquerade what leaves the subnet of each address,
 * but for the destinations it spares
 * @nat:	the handle
 * @ips:	addresses with their prefix lengths, as an attachment or a CNI
 *		result has them (host bits are dropped); family 0 is no address
 * @n:		how many
 * @masq:	masquerade them; 0 to set only the destinations spared
 * @to:		the destinations each subnet reaches without masquerade, set
 *		before its masquerade so that it never runs without them; NULL
 *		to leave them as they are
 * @n_to:	how many (0 clears them)
 * @owner:	who asks
 *
 * Return: 0, or the first negative errno (logged); what was added before it
 * stays, for the caller's undo.
 */
int nat_masq_add_each(struct nat *nat, const struct inet_prefix *ips, size_t n, int masq,
		      const struct inet_prefix *to, size_t n_to, const char *owner)
{
	return nat_masq_each(nat, ips, n, masq, to, n_to, owner, 0);
}

/**
 * nat_masq_check_each() - tell whether what nat_masq_add_each() made is in
 * place
 * @nat:	the handle
 * @ips:	as for nat_masq_add_each()
 * @n:		how many
 * @masq:	each subnet is masqueraded
 * @to:		the destinations each subnet reaches without masquerade, or
 *		NULL when they are not looked at
 * @n_to:	how many
 * @owner:	who made them
 *
 * Return: 0, -ENOENT (logged, naming the first element missing or held by
 * another), or another negative errno (logged).
 */
int nat_masq_check_each(struct nat *nat, const struct inet_prefix *ips, size_t n,
			int masq, const struct inet_prefix *to, size_t n_to,
			const char *owner)
{
	return nat_masq_each(nat, ips, n, masq, to, n_to, owner, 1);
}

/**
 * nat_masq_del() - stop masquerading a subnet
 * @nat:	the handle
 * @subnet:	the subnet
 * @owner:	refuse when another owner has it, or NULL for anyone's
 *
 * The destinations its owner spared from masquerade go with it.
 *
 * Return: 0 (also when it was not masqueraded) or negative errno (logged).
 */
int nat_masq_del(struct nat *nat, const struct inet_prefix *subnet, const char *owner)
{
	char name[NAT_NAME_MAX];
	struct nft_elem e;
	int ret;

	nat_masq_elem(subnet, owner ? owner : "", &e);
	ret = nat_apply_del(nat, &e, 1, owner);
	nat_masq_record_name(subnet, name, sizeof(name));
	if (ret == 0 && owner) {
		nat_record_del(nat, owner, name);
		ret = nat_nomasq_del(nat, subnet, owner);
	}
	if (ret == 0 && *e.owner && (!owner || strcmp(owner, e.owner))) {
		nat_record_del(nat, e.owner, name);
		ret = nat_nomasq_del(nat, subnet, e.owner);
	}
	return ret;
}
