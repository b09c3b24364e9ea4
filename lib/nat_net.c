// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_net: the forwarding policy of plumb's networks (isolation, the
 * direct-access guard), as elements of plumb's table: the sets that
 * nft_rules.c's chain "forward" names. The records of hairpins
 * (nat_port.c) are read back here too, with those of policies.
 *
 * Theory of operation: as for every change of lib/nat.c, a policy is first
 * recorded (<state>/nat/<owner>/net-<bridge>.json, the owner being the
 * network), then becomes elements: "B . B" in samebr, and B in isolated,
 * guarded, or both, for the network's bridge B. Those are facts about a
 * bridge, which several networks may share: an element another network
 * put there already serves this one too, so a bridge gets the strictest
 * policy of its networks. A policy that changes (a CNI configuration
 * edited) replaces its record, adds what is now wanted and lets go of the
 * rest; a network that lets go of an element hands it over, in the same
 * nftables transaction, to another network of the bridge that wants it
 * (nat_net_hand_over()), so the bridge is never without it, not even when
 * the change fails. Reconcile brings it all back from the records after a
 * flush.
 *
 * How long a policy lives follows who made the network. One made on a
 * container host (CNI, OCI hooks) has it while it has containers, as
 * netavark does: the first container's setup gives it, the last one's
 * teardown takes it back (nat_net_release()), and a teardown leaves
 * nothing behind. One made by hand keeps it until its bridge goes
 * (nat_net_del()) or it is asked to change. Policy changes and the check
 * that a network still has containers take one lock (an flock of the
 * directory of NAT records): a setup records its container before it gives
 * the policy, a teardown forgets it before it looks, so the last teardown
 * and a new setup cannot pass each other.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <plumb/bridge.h>
#include <plumb/fault.h>
#include <plumb/json.h>
#include <plumb/link.h>
#include <plumb/log.h>
#include <plumb/nat.h>
#include <plumb/state.h>

#include "nat_txn.h"

#define NAT_NET_RETRIES 32 /* commits another writer got in before */

static void nat_net_record_name(const char *bridge, char *buf, size_t size)
{
	snprintf(buf, size, "net-%s", bridge);
}

static json_t *nat_net_to_json(const struct nat_net *n)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b}", "type", "net", "bridge", n->bridge,
			 "made_by", n->made_by, "isolate", n->isolate, "direct_access",
			 !n->guard);
}

/* Delete those of @e that are there and belong to @owner (anyone's for NULL). */
static int nat_net_take_back(struct nat *nat, const struct nft_elem *e, size_t n,
			     const char *owner)
{
	struct nft_elem cur, mine[NAT_NET_ELEMS];
	size_t i, k = 0;
	int ret;

	for (i = 0; i < n && k < NAT_NET_ELEMS; i++) {
		cur = e[i];
		ret = nft_elem_get(&nat->nl, &cur);
		if (ret < 0)
			return ret;
		if (ret > 0 && (!owner || nat_owner_same(cur.owner, owner)))
			mine[k++] = cur;
	}
	return k ? nat_apply_del(nat, mine, k, NULL) : 0;
}

/**
 * nat_net_lock() - take the policy lock: an flock of the directory of the
 * namespace's NAT records (no file of its own, which would stay behind)
 * @nat:	the handle
 * @create:	make the directory when missing
 *
 * Also taken for a bridge's interface group (nat_port.c).
 *
 * Return: the fd to close, -ENOENT when there is no such directory and
 * @create is 0, or negative errno (logged).
 */
int nat_net_lock(struct nat *nat, int create)
{
	int root, fd, ret;

	root = state_dir_open(nat->state_dir, create);
	if (root < 0)
		return root;
	fd = state_dir_openat(root, NAT_KIND, create);
	close(root);
	if (fd < 0)
		return fd;
	if (flock(fd, LOCK_EX) < 0) {
		ret = log_err(-errno, "lock %s/" NAT_KIND, nat->state_dir);
		close(fd);
		return ret;
	}
	return fd;
}

static int nat_net_set_locked(struct nat *nat, const struct nat_net *n,
			      const char *owner);
static int nat_net_hand_over(struct nat *nat, const char *bridge, const char *owner,
			     const struct nat_net *keep);

/**
 * nat_net_add() - give a network's bridge its forwarding policy
 * @nat:	the handle
 * @n:		the policy; what the network asked before and asks no more
 *		(isolation, the guard) is taken back
 * @network:	the network, whose owner (network@NAME) holds the policy
 *
 * Return: 0 or negative errno (logged); on failure, a new record is
 * removed again.
 */
int nat_net_add(struct nat *nat, const struct nat_net *n, const char *network)
{
	char owner[NFT_OWNER_MAX + 1];

	nat_owner_network(network, owner);
	return nat_net_set(nat, n, owner);
}

/**
 * nat_net_set() - give a bridge the forwarding policy an owner asks for
 * @nat:	the handle
 * @n:		the policy; what @owner asked before and asks no more is
 *		taken back, and with neither isolation nor the guard, its
 *		record goes
 * @owner:	who holds it: a network's (nat_net_add()) or a lab's
 *		(lab@NAME), whose bridges get their policy from its file
 *
 * Return: 0 or negative errno (logged); on failure, a new record is
 * removed again.
 */
int nat_net_set(struct nat *nat, const struct nat_net *n, const char *owner)
{
	int fd = nat_net_lock(nat, 1), ret;

	if (fd < 0)
		return fd;
	ret = nat_net_set_locked(nat, n, owner);
	close(fd);
	return ret;
}

/* nat_net_set(), under the lock. */
static int nat_net_set_locked(struct nat *nat, const struct nat_net *n, const char *owner)
{
	struct nft_elem e[NAT_NET_ELEMS], add[NAT_NET_ELEMS];
	char name[NAT_NAME_MAX], group[NFT_OWNER_MAX + 1];
	size_t i, n_add = 0, n_drop = 0;
	json_t *rec, *old;
	int ret = 0, err;

	nat_net_record_name(n->bridge, name, sizeof(name));
	nat_owner_group(owner, group, sizeof(group));
	rec = nat_net_to_json(n);
	if (!rec)
		return log_err(-ENOMEM, "record the policy of %s", n->bridge);
	old = state_record_read(nat->state_dir, NAT_KIND, group, name, &err);
	if (!old && err != -ENOENT)
		ret = err;
	else if (!n->isolate && !n->guard) /* nothing to keep */
		nat_record_del(nat, owner, name);
	else if (!old || !json_equal(old, rec))
		ret = nat_record_write(nat, owner, name, rec);
	json_decref(rec);
	nat_net_elems(n->bridge, owner, e);
	for (i = 0; i < NAT_NET_ELEMS; i++) {
		if (nat_net_wants(n, i))
			add[n_add++] = e[i];
		else
			n_drop++;
	}
	if (ret == 0 && n_add)
		ret = nat_apply_add(nat, add, n_add, 0);
	if (ret == 0 && n_drop)
		ret = nat_net_hand_over(nat, n->bridge, owner, n);
	if (ret < 0 && !old)
		nat_record_del(nat, owner, name);
	json_decref(old);
	return ret;
}

/*
 * The elements the "net" records of owners other than @owner want for
 * @bridge (@want[i] for the i-th of nat_net_elems(), held by the first
 * owner that wants it): what stays when one network of a shared bridge
 * lets go of its own.
 */
struct nat_net_others {
	const char *bridge;
	const char *owner;
	struct nft_elem e[NAT_NET_ELEMS];
	int want[NAT_NET_ELEMS];
};

static int nat_net_other_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct nat_net_others *o = arg;
	char owner[NFT_OWNER_MAX + 1];
	struct nft_elem e[NAT_NET_ELEMS];
	const char *type = NULL;
	struct nat_net n;
	size_t i;

	(void)name;
	nat_group_owner(group, owner, sizeof(owner));
	if (json_get_string(rec, "type", &type) <= 0 || strcmp(type, "net") ||
	    nat_net_from_json(rec, &n) < 0 || strcmp(n.bridge, o->bridge) ||
	    nat_owner_same(owner, o->owner))
		return 0;
	nat_net_elems(n.bridge, owner, e);
	for (i = 0; i < NAT_NET_ELEMS; i++) {
		if (nat_net_wants(&n, i) && !o->want[i]) {
			o->want[i] = 1;
			o->e[i] = e[i];
		}
	}
	return 0;
}

/*
 * @owner lets go of its policy of @bridge, but for what @keep still asks
 * (NULL: nothing): its elements go, and those that other owners want (@o)
 * come back under the first of them, in the same transaction, so that the
 * bridge is never without what its other networks ask, and a failure
 * leaves everything as it was. One look and one commit against the
 * generation read; -ERESTART: look again.
 */
static int nat_net_hand_over_once(struct nat *nat, const char *bridge, const char *owner,
				  const struct nat_net *keep,
				  const struct nat_net_others *o)
{
	struct nft_elem e[NAT_NET_ELEMS], del[NAT_NET_ELEMS], add[NAT_NET_ELEMS];
	struct nft_txn txn = { 0 };
	size_t i, n_del = 0, n_add = 0;
	uint32_t genid;
	int ret;

	ret = nft_gen_get(&nat->nl, &genid);
	nat_net_elems(bridge, "", e);
	for (i = 0; ret >= 0 && i < NAT_NET_ELEMS; i++) {
		ret = nft_elem_get(&nat->nl, &e[i]);
		if (ret > 0 && (!nat_owner_same(e[i].owner, owner) ||
				(keep && nat_net_wants(keep, i))))
			continue; /* another's, or still wanted: it stays */
		if (ret > 0)
			del[n_del++] = e[i];
		if (ret >= 0 && o->want[i])
			add[n_add++] = o->e[i];
	}
	if (ret < 0 || (!n_del && !n_add))
		return ret < 0 ? ret : 0;
	txn = (struct nft_txn){ .add = add, .n_add = n_add, .del = del, .n_del = n_del };
	ret = nft_commit(&nat->nl, genid, &txn);
	if (ret == 0)
		fault_point("nft-handed-over");
	return ret;
}

/* Has @owner an element of @bridge's policy that @keep does not ask for? */
static int nat_net_holds(struct nat *nat, const char *bridge, const char *owner,
			 const struct nat_net *keep)
{
	struct nft_elem e[NAT_NET_ELEMS];
	size_t i;
	int ret = 0;

	nat_net_elems(bridge, "", e);
	for (i = 0; ret == 0 && i < NAT_NET_ELEMS; i++) {
		if (!keep || !nat_net_wants(keep, i))
			ret = nft_elem_get(&nat->nl, &e[i]);
		if (ret > 0)
			ret = nat_owner_same(e[i].owner, owner);
	}
	return ret;
}

static int nat_net_hand_over(struct nat *nat, const char *bridge, const char *owner,
			     const struct nat_net *keep)
{
	struct nat_net_others o = { .bridge = bridge, .owner = owner };
	int attempt, ret;

	/* Usually there is nothing of @owner's to let go of: no walk of records. */
	ret = nat_net_holds(nat, bridge, owner, keep);
	if (ret <= 0)
		return ret;
	ret = state_record_for_each(nat->state_dir, NAT_KIND, NULL, nat_net_other_one, &o);
	for (attempt = 0; ret == 0 && attempt < NAT_NET_RETRIES; attempt++) {
		ret = nat_net_hand_over_once(nat, bridge, owner, keep, &o);
		if (ret == -ENOENT) /* no table: reconcile makes it from the records */
			ret = 0;
		if (ret != -ERESTART)
			break;
		ret = 0;
	}
	if (ret == 0 && attempt == NAT_NET_RETRIES)
		return log_errx(-EAGAIN,
				"nftables kept changing under us; gave up handing the "
				"policy of %s over after %d tries",
				bridge, NAT_NET_RETRIES);
	if (ret < 0)
		return nl_err(&nat->nl, ret, "hand the policy of %s over", bridge);
	return 0;
}

struct nat_net_leave {
	struct nat *nat;
	const char *owner;
	int err;
};

/* One record of a network that lost its last container. */
static int nat_net_leave_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct nat_net_leave *l = arg;
	const char *type = NULL;
	struct nat_net n;
	int ret = 0;

	(void)group;
	json_get_string(rec, "type", &type);
	if (type && !strcmp(type, "hairpin")) {
		ret = nat_net_record_release(l->nat, rec, l->owner, name);
	} else if (type && !strcmp(type, "net") && nat_net_from_json(rec, &n) == 0 &&
		   (!strcmp(n.made_by, "cni") || !strcmp(n.made_by, "oci"))) {
		/* Another network of the bridge keeps what it asks. */
		ret = nat_net_hand_over(l->nat, n.bridge, l->owner, NULL);
		if (ret == 0)
			nat_record_del(l->nat, l->owner, name);
	}
	if (ret < 0 && !l->err)
		l->err = ret;
	return 0;
}

static int nat_net_found(const char *group, const char *name, json_t *rec, void *arg)
{
	(void)group;
	(void)name;
	(void)rec;
	(void)arg;
	return -EEXIST; /* one is enough */
}

/**
 * nat_net_in_use() - has a network a container left?
 * @root:	where the records of attachments live (STATE_DIR)
 * @network:	the network
 * @kinds:	the kinds of records of its attachments, NULL-terminated
 *
 * Return: 1, 0, or negative errno (logged).
 */
int nat_net_in_use(const char *root, const char *network, const char *const *kinds)
{
	int ret = 0;

	for (; ret == 0 && *kinds; kinds++)
		ret = state_record_for_each(root, *kinds, network, nat_net_found, NULL);
	return ret == -EEXIST ? 1 : ret == -ENOENT ? 0 : ret;
}

/**
 * nat_net_release() - a container host's network lost a container: when it
 * was the last, take back what the network had in plumb's table for its
 * containers' sake (the policy it gave its bridge, its hairpin)
 * @nat:	the handle
 * @network:	the network (network@NAME owns what it had)
 * @bridge:	its bridge when known, so that a record a killed setup was
 *		writing goes too; or NULL
 * @in_use:	says, under the policy lock, whether the network still has a
 *		container: 1, 0, or negative errno
 * @arg:	passed to @in_use
 *
 * Only policies made through CNI or the OCI hooks go; what another network
 * of the same bridge asks is put back.
 *
 * Return: 0 or negative errno (logged).
 */
int nat_net_release(struct nat *nat, const char *network, const char *bridge,
		    int (*in_use)(void *arg), void *arg)
{
	char owner[NFT_OWNER_MAX + 1], group[NFT_OWNER_MAX + 1], name[NAT_NAME_MAX];
	struct nat_net_leave l = { .nat = nat, .owner = owner };
	char path[PATH_MAX];
	json_t *rec;
	int fd, ret, err;

	/* A network without records has nothing to let go of: no lock. */
	nat_owner_network(network, owner);
	nat_owner_group(owner, group, sizeof(group));
	if ((size_t)snprintf(path, sizeof(path), "%s/" NAT_KIND "/%s", nat->state_dir,
			     group) < sizeof(path) &&
	    access(path, F_OK) < 0)
		return 0;
	fd = nat_net_lock(nat, 0);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	ret = in_use(arg);
	if (ret == 0)
		ret = state_record_for_each(nat->state_dir, NAT_KIND, group,
					    nat_net_leave_one, &l);
	if (ret == 0)
		ret = l.err;
	if (ret == 0 && bridge) {
		nat_net_record_name(bridge, name, sizeof(name));
		rec = state_record_read(nat->state_dir, NAT_KIND, group, name, &err);
		if (!rec && err == -ENOENT) /* and its killed writers' files */
			nat_record_del(nat, owner, name);
		json_decref(rec);
	}
	close(fd);
	return ret < 0 ? ret : 0;
}

struct nat_net_forget {
	struct nat *nat;
	const char *bridge;
};

static int nat_net_forget_one(const char *group, const char *name, json_t *rec, void *arg)
{
	struct nat_net_forget *f = arg;
	char owner[NFT_OWNER_MAX + 1];
	const char *type = NULL;
	struct nat_net n;

	if (json_get_string(rec, "type", &type) <= 0 || strcmp(type, "net") ||
	    nat_net_from_json(rec, &n) < 0 || strcmp(n.bridge, f->bridge))
		return 0;
	nat_group_owner(group, owner, sizeof(owner));
	nat_record_del(f->nat, owner, name);
	return 0;
}

/**
 * nat_net_del() - a bridge goes: its policy goes, whichever networks asked
 * @nat:	the handle
 * @bridge:	the bridge
 *
 * Return: 0 (also when it had none) or negative errno (logged).
 */
int nat_net_del(struct nat *nat, const char *bridge)
{
	struct nat_net_forget f = { .nat = nat, .bridge = bridge };
	struct nft_elem e[NAT_NET_ELEMS];
	int fd, ret;

	fd = nat_net_lock(nat, 0);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	nat_net_elems(bridge, "", e);
	ret = nat_net_take_back(nat, e, NAT_NET_ELEMS, NULL);
	if (ret == 0)
		ret = state_record_for_each(nat->state_dir, NAT_KIND, NULL,
					    nat_net_forget_one, &f);
	close(fd);
	return ret == -ENOENT ? 0 : ret;
}

/* --- records, for reconcile and release --------------------------------- */

/**
 * nat_net_record_release() - undo what a "net" or "hairpin" record made
 * @nat:	the handle
 * @rec:	the record
 * @owner:	its owner: elements another owner put there stay
 * @name:	the record's name, deleted once undone
 *
 * Return: 0 or negative errno (logged).
 */
int nat_net_record_release(struct nat *nat, const json_t *rec, const char *owner,
			   const char *name)
{
	struct nft_elem e[NAT_NET_ELEMS];
	int n, ret = 0;

	n = nat_net_record_elems(rec, owner, e);
	if (n > 0)
		ret = nat_net_take_back(nat, e, (size_t)n, owner);
	if (ret == 0)
		nat_record_del(nat, owner, name);
	return ret;
}

/* --- list ------------------------------------------------------------ */

struct nat_net_walk {
	struct nft_elem *v;
	size_t n;
	size_t cap;
};

static int nat_net_collect(const struct nft_elem *e, void *arg)
{
	struct nat_net_walk *w = arg;
	struct nft_elem *v;

	if (w->n == w->cap) {
		v = realloc(w->v, (w->cap ? 2 * w->cap : 16) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = w->cap ? 2 * w->cap : 16;
	}
	w->v[w->n++] = *e;
	return 0;
}

/* Is @bridge in isolated and in guarded (each 1 or 0)? 0 or -errno (logged). */
static int nat_net_look(struct nat *nat, const char *bridge, int *isolated, int *guarded)
{
	struct nft_elem e[NAT_NET_ELEMS];

	nat_net_elems(bridge, "", e);
	*isolated = nft_elem_get(&nat->nl, &e[1]);
	*guarded = *isolated < 0 ? *isolated : nft_elem_get(&nat->nl, &e[2]);
	return *guarded < 0 ? *guarded : 0;
}

/**
 * nat_net_get() - the forwarding policy a bridge has in the kernel
 * @nat:	the handle
 * @bridge:	the bridge
 * @n:		filled: @n->isolate and @n->guard as the sets isolated and
 *		guarded have them, whoever put them there; no @n->made_by
 *
 * Return: 1 when the bridge's "B . B" is in samebr (without it, isolation
 * or the guard would cut the bridge off from itself), 0 when not, or
 * negative errno (logged).
 */
int nat_net_get(struct nat *nat, const char *bridge, struct nat_net *n)
{
	struct nft_elem e[NAT_NET_ELEMS];
	int ret;

	memset(n, 0, sizeof(*n));
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	ret = nat_net_look(nat, bridge, &n->isolate, &n->guard);
	if (ret < 0)
		return ret;
	nat_net_elems(bridge, "", e);
	return nft_elem_get(&nat->nl, &e[0]);
}

static int nat_net_list_one(struct nat *nat, const struct nft_elem *samebr, json_t *out)
{
	char bridge[IFNAMSIZ];
	int isolated, guarded, ret;

	snprintf(bridge, sizeof(bridge), "%.*s", IFNAMSIZ - 1, (const char *)samebr->key);
	ret = nat_net_look(nat, bridge, &isolated, &guarded);
	if (ret < 0)
		return ret;
	return json_array_append_new(out, json_pack("{s:s, s:b, s:b, s:o}", "bridge",
						    bridge, "isolate", isolated,
						    "direct_access", !guarded, "owner",
						    json_string_lossy(samebr->owner))) ?
		       -ENOMEM :
		       0;
}

/**
 * nat_net_list() - the bridges that have a forwarding policy, as the
 * kernel has them
 * @nat:	the handle
 * @out:	an array: [{bridge, isolate, direct_access, owner}] is appended
 *
 * Return: 0 or negative errno.
 */
int nat_net_list(struct nat *nat, json_t *out)
{
	struct nat_net_walk w = { 0 };
	size_t i;
	int ret;

	/* Each bridge's other sets are looked up after the walk, not during it. */
	ret = nft_elem_for_each(&nat->nl, NFT_SAMEBR, nat_net_collect, &w);
	for (i = 0; ret == 0 && i < w.n; i++)
		ret = nat_net_list_one(nat, &w.v[i], out);
	free(w.v);
	return ret;
}
