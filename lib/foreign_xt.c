// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * foreign_xt: plumb's tagged rules in the filter tables of iptables-legacy
 * (x_tables, the kernel's tables before nf_tables), for IPv4 and IPv6.
 *
 * Theory of operation: an x_tables table is one blob of rules, read whole
 * (IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES) and replaced whole
 * (IPT_SO_SET_REPLACE), as iptables-legacy does through libiptc. When the
 * filter table's FORWARD chain has policy DROP, the two rules of
 * lib/foreign_nft.c, in iptables' own words,
 *
 *	-A FORWARD -m devgroup --src-group 0x706c -m comment --comment TAG -j ACCEPT
 *	-A FORWARD -m devgroup --dst-group 0x706c -m comment --comment TAG -j ACCEPT
 *
 * go at the head of DOCKER-USER when Docker made it, else of FORWARD.
 * Inserting moves every rule after them: the jumps (a standard target's
 * verdict that is not negative is the offset of a rule) and the chains'
 * entry points and policies (hook_entry, underflow) that lie past the
 * insertion are moved by the size inserted, and a jump or entry point at
 * the insertion itself stays there, where the first rule of its chain now
 * is. Deleting moves them back the same way. The kernel hands back the old
 * table's counters with the replacement, and they are put back on the same
 * rules (IPT_SO_SET_ADD_COUNTERS), so iptables -L -v counts on.
 *
 * The replacement names the number of rules the blob was read with: if
 * another writer replaced the table meanwhile, the kernel refuses it
 * (EAGAIN) and the table is read again. iptables-legacy's own writers take
 * /run/xtables.lock; so does plumb, while it reads and replaces.
 *
 * A table is only looked at when it exists already (/proc/net/ip_tables_names):
 * asking the kernel for one it does not have would make it, with its
 * hooks, where no one uses iptables-legacy. The socket is a UDP one: the
 * options need CAP_NET_ADMIN in the namespace, not a raw socket's
 * CAP_NET_RAW.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h> /* before linux/if.h, which then leaves glibc's alone */
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include <plumb/bridge.h>
#include <plumb/foreign.h>
#include <plumb/log.h>
#include <plumb/netns.h>

#include "foreign_match.h"

#define FXT_TABLE "filter"
#define FXT_LOCK "/run/xtables.lock" /* iptables' XT_LOCK_NAME */
#define FXT_RETRIES 16
/*
 * How long to wait for iptables' lock, and how often to try it: as
 * `iptables -w 5` does (it tries every second; a shorter step costs
 * nothing here and does not keep a setup waiting for a lock long free).
 */
#define FXT_LOCK_WAIT_SEC 5
#define FXT_LOCK_STEP_MS 20
#define FXT_DOCKER_USER "DOCKER-USER"

/* What differs between IPv4's tables and IPv6's: the rest is the same. */
struct fxt_family {
	const char *what;
	int af;
	int level;
	int get_info;
	int get_entries;
	int set_replace;
	int set_counters;
	const char *names;
	size_t entry_size;
	size_t off_target;
	size_t off_next;
};

static const struct fxt_family fxt_families[] = {
	{ "iptables-legacy", AF_INET, SOL_IP, IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES,
	  IPT_SO_SET_REPLACE, IPT_SO_SET_ADD_COUNTERS, "/proc/self/net/ip_tables_names",
	  sizeof(struct ipt_entry), offsetof(struct ipt_entry, target_offset),
	  offsetof(struct ipt_entry, next_offset) },
	{ "ip6tables-legacy", AF_INET6, SOL_IPV6, IP6T_SO_GET_INFO, IP6T_SO_GET_ENTRIES,
	  IP6T_SO_SET_REPLACE, IP6T_SO_SET_ADD_COUNTERS,
	  "/proc/self/net/ip6_tables_names", sizeof(struct ip6t_entry),
	  offsetof(struct ip6t_entry, target_offset),
	  offsetof(struct ip6t_entry, next_offset) },
};

/**
 * struct fxt_table - a table as read, its rules found
 * @info:	what IPT_SO_GET_INFO said (the same for IPv6)
 * @blob:	the rules, back to back
 * @off:	the offset of each rule in @blob
 * @n:		how many (@info.num_entries)
 */
struct fxt_table {
	struct ipt_getinfo info;
	uint8_t *blob;
	unsigned int *off;
	unsigned int n;
};

/* The rules plumb puts: an entry with two matches and a standard target. */
#define FXT_MATCH_SIZE(info) \
	(XT_ALIGN(sizeof(struct xt_entry_match)) + XT_ALIGN(sizeof(info)))
#define FXT_TARGET_SIZE XT_ALIGN(sizeof(struct xt_standard_target))

static uint16_t fxt_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int fxt_verdict(const uint8_t *target)
{
	int v;

	memcpy(&v, target + sizeof(struct xt_entry_target), sizeof(v));
	return v;
}

/* The target of the rule at @e, and whether it is a standard one or ERROR. */
static const struct xt_entry_target *fxt_target(const struct fxt_family *f,
						const uint8_t *e)
{
	return (const void *)(e + fxt_u16(e + f->off_target));
}

static int fxt_is(const struct xt_entry_target *t, const char *name)
{
	return !strncmp(t->u.user.name, name, sizeof(t->u.user.name));
}

/* Does the rule carry plumb's tag, in a comment match? */
static int fxt_tagged(const struct fxt_family *f, const uint8_t *e)
{
	size_t off = f->entry_size, end = fxt_u16(e + f->off_target);
	const struct xt_entry_match *m;

	while (off + sizeof(*m) <= end) {
		m = (const void *)(e + off);
		if (m->u.match_size < sizeof(*m) || off + m->u.match_size > end)
			return 0;
		if (!strncmp(m->u.user.name, "comment", sizeof(m->u.user.name)) &&
		    m->u.match_size >= sizeof(*m) + sizeof(FOREIGN_TAG) &&
		    !memcmp(m->data, FOREIGN_TAG, sizeof(FOREIGN_TAG)))
			return 1;
		off += m->u.match_size;
	}
	return 0;
}

/* Check the blob's rules fit in it, and note where each one starts. */
static int fxt_index(const struct fxt_family *f, struct fxt_table *t)
{
	unsigned int off = 0, i;
	uint16_t target, next;

	t->off = calloc(t->info.num_entries ? t->info.num_entries : 1, sizeof(*t->off));
	if (!t->off)
		return -ENOMEM;
	for (i = 0; i < t->info.num_entries; i++) {
		if (off + f->entry_size > t->info.size)
			return -EBADMSG;
		target = fxt_u16(t->blob + off + f->off_target);
		next = fxt_u16(t->blob + off + f->off_next);
		if (target < f->entry_size ||
		    target + sizeof(struct xt_entry_target) > next ||
		    off + next > t->info.size)
			return -EBADMSG;
		t->off[i] = off;
		off += next;
	}
	t->n = i;
	return off == t->info.size ? 0 : -EBADMSG;
}

static void fxt_free(struct fxt_table *t)
{
	free(t->blob);
	free(t->off);
	*t = (struct fxt_table){ 0 };
}

/* Read the filter table whole. */
static int fxt_read(const struct fxt_family *f, int sock, struct fxt_table *t)
{
	struct ipt_get_entries *get;
	socklen_t len = sizeof(t->info);
	int ret;

	*t = (struct fxt_table){ 0 };
	snprintf(t->info.name, sizeof(t->info.name), FXT_TABLE);
	if (getsockopt(sock, f->level, f->get_info, &t->info, &len) < 0)
		return -errno;
	len = (socklen_t)(sizeof(*get) + t->info.size);
	get = calloc(1, len);
	if (!get)
		return -ENOMEM;
	snprintf(get->name, sizeof(get->name), FXT_TABLE);
	get->size = t->info.size;
	ret = getsockopt(sock, f->level, f->get_entries, get, &len) < 0 ? -errno : 0;
	if (ret == 0) {
		t->blob = malloc(t->info.size ? t->info.size : 1);
		if (t->blob)
			memcpy(t->blob, get + 1, t->info.size);
		ret = t->blob ? fxt_index(f, t) : -ENOMEM;
	}
	free(get);
	return ret;
}

/*
 * Where a rule's offset goes when @del rules (offsets ascending, @n_del of
 * them) leave and @add bytes come in at @ins (-1: none). @moves: the
 * offset at @ins itself moves too (a policy, which stays last), else it
 * stays (the first rule of a chain, which the new rules become).
 */
static unsigned int fxt_map(const struct fxt_family *f, const struct fxt_table *t,
			    const unsigned int *del, unsigned int n_del, long ins,
			    unsigned int add, unsigned int v, int moves)
{
	unsigned int i, out = v;

	for (i = 0; i < n_del && t->off[del[i]] < v; i++)
		out -= fxt_u16(t->blob + t->off[del[i]] + f->off_next);
	if (ins >= 0 && (v > (unsigned long)ins || (moves && v == (unsigned long)ins)))
		out += add;
	return out;
}

/* One of plumb's rules, IPv4's or IPv6's, at @e: from (or with @out, to) the group. */
static void fxt_rule_put(const struct fxt_family *f, uint8_t *e, int out)
{
	struct xt_devgroup_info dev = foreign_devgroup(out);
	struct xt_comment_info comment = { FOREIGN_TAG };
	struct xt_entry_match *m;
	struct xt_standard_target *t;
	size_t off = f->entry_size;
	uint16_t target_off, next_off;

	m = (void *)(e + off);
	m->u.match_size = FXT_MATCH_SIZE(dev);
	snprintf(m->u.user.name, sizeof(m->u.user.name), "devgroup");
	memcpy(m->data, &dev, sizeof(dev));
	off += m->u.match_size;
	m = (void *)(e + off);
	m->u.match_size = FXT_MATCH_SIZE(comment);
	snprintf(m->u.user.name, sizeof(m->u.user.name), "comment");
	memcpy(m->data, &comment, sizeof(comment));
	off += m->u.match_size;
	t = (void *)(e + off);
	t->target.u.target_size = FXT_TARGET_SIZE;
	t->verdict = -NF_ACCEPT - 1;
	target_off = (uint16_t)off;
	next_off = (uint16_t)(off + FXT_TARGET_SIZE);
	memcpy(e + f->off_target, &target_off, sizeof(target_off));
	memcpy(e + f->off_next, &next_off, sizeof(next_off));
}

static unsigned int fxt_rule_size(const struct fxt_family *f)
{
	return (unsigned int)(f->entry_size + FXT_MATCH_SIZE(struct xt_devgroup_info) +
			      FXT_MATCH_SIZE(struct xt_comment_info) + FXT_TARGET_SIZE);
}

/*
 * The new blob: @t without its rules @del, with plumb's two rules at @ins
 * (-1: none), every jump and entry point moved; its counters, from the old
 * ones the kernel hands back, in @counters_out (one per new rule).
 */
static int fxt_rebuild(const struct fxt_family *f, const struct fxt_table *t,
		       const unsigned int *del, unsigned int n_del, long ins,
		       struct ipt_replace **out, unsigned int *n_out)
{
	unsigned int add = ins >= 0 ? 2 * fxt_rule_size(f) : 0, i, k = 0, len;
	unsigned int size = t->info.size + add, h;
	struct ipt_replace *r;
	uint8_t *p, *e;
	int v;

	for (i = 0; i < n_del; i++)
		size -= fxt_u16(t->blob + t->off[del[i]] + f->off_next);
	r = calloc(1, sizeof(*r) + size);
	if (!r)
		return -ENOMEM;
	p = (uint8_t *)(r + 1);
	for (i = 0; i <= t->n; i++) {
		if (ins >= 0 &&
		    (i == t->n ? t->info.size : t->off[i]) == (unsigned long)ins) {
			fxt_rule_put(f, p, 0);
			p += fxt_rule_size(f);
			fxt_rule_put(f, p, 1);
			p += fxt_rule_size(f);
		}
		if (i == t->n)
			break;
		if (k < n_del && del[k] == i) {
			k++;
			continue;
		}
		e = t->blob + t->off[i];
		len = fxt_u16(e + f->off_next);
		memcpy(p, e, len);
		if (fxt_is(fxt_target(f, p), XT_STANDARD_TARGET) &&
		    (v = fxt_verdict((const uint8_t *)fxt_target(f, p))) >= 0) {
			v = (int)fxt_map(f, t, del, n_del, ins, add, (unsigned int)v, 0);
			memcpy((uint8_t *)fxt_target(f, p) +
				       sizeof(struct xt_entry_target),
			       &v, sizeof(v));
		}
		p += len;
	}
	snprintf(r->name, sizeof(r->name), FXT_TABLE);
	r->valid_hooks = t->info.valid_hooks;
	r->size = size;
	r->num_entries = t->n - n_del + (ins >= 0 ? 2 : 0);
	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(t->info.valid_hooks & (1u << h)))
			continue;
		r->hook_entry[h] =
			fxt_map(f, t, del, n_del, ins, add, t->info.hook_entry[h], 0);
		r->underflow[h] =
			fxt_map(f, t, del, n_del, ins, add, t->info.underflow[h], 1);
	}
	*out = r;
	*n_out = r->num_entries;
	return 0;
}

/* Replace the table; put its old counters back on the same rules. */
static int fxt_replace(const struct fxt_family *f, int sock, const struct fxt_table *t,
		       const unsigned int *del, unsigned int n_del, long ins)
{
	struct xt_counters *old = calloc(t->n ? t->n : 1, sizeof(*old));
	struct xt_counters_info *ci = NULL;
	struct ipt_replace *r = NULL;
	unsigned int i, k = 0, j = 0, n_new = 0;
	int ret = old ? fxt_rebuild(f, t, del, n_del, ins, &r, &n_new) : -ENOMEM;

	if (ret == 0) {
		r->num_counters = t->n;
		r->counters = old;
		if (setsockopt(sock, f->level, f->set_replace, r,
			       (socklen_t)(sizeof(*r) + r->size)) < 0)
			ret = -errno;
	}
	if (ret == 0)
		ci = calloc(1, sizeof(*ci) + n_new * sizeof(struct xt_counters));
	for (i = 0; ci && i < t->n; i++) {
		if (ins >= 0 && t->off[i] == (unsigned long)ins)
			j += 2;
		if (k < n_del && del[k] == i) {
			k++;
			continue;
		}
		ci->counters[j++] = old[i];
	}
	if (ci) {
		snprintf(ci->name, sizeof(ci->name), FXT_TABLE);
		ci->num_counters = n_new;
		/* Best effort: the rules are right even if the counts restart. */
		setsockopt(sock, f->level, f->set_counters, ci,
			   (socklen_t)(sizeof(*ci) + n_new * sizeof(struct xt_counters)));
	}
	free(ci);
	free(r);
	free(old);
	return ret;
}

/* Does the namespace have the family's filter table already? */
static int fxt_present(const struct fxt_family *f)
{
	char line[64];
	FILE *fp = fopen(f->names, "re");
	int found = 0;

	if (!fp)
		return 0;
	while (!found && fgets(line, sizeof(line), fp))
		found = !strcmp(line, FXT_TABLE "\n");
	fclose(fp);
	return found;
}

/* The rule index of the head of chain @name (its ERROR rule), or -1. */
static long fxt_chain(const struct fxt_family *f, const struct fxt_table *t,
		      const char *name)
{
	const struct xt_entry_target *tg;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		tg = fxt_target(f, t->blob + t->off[i]);
		if (fxt_is(tg, XT_ERROR_TARGET) &&
		    !strncmp((const char *)tg->data, name, XT_FUNCTION_MAXNAMELEN))
			return i;
	}
	return -1;
}

struct fxt_call {
	int withdraw;
	int said[2];
};

/*
 * Admit in one family: when FORWARD drops by policy and its chain (or
 * DOCKER-USER) lacks plumb's two rules, put them at its head. Return: 1
 * when put, 0 when nothing was to do, or -errno.
 */
static int fxt_admit_one(const struct fxt_family *f, int sock, const char **chain)
{
	struct fxt_table t;
	unsigned int del[2], n_del = 0, i, end;
	long docker, ins;
	const uint8_t *policy;
	int ret;

	ret = fxt_read(f, sock, &t);
	if (ret < 0 || !(t.info.valid_hooks & (1u << NF_INET_FORWARD)))
		goto out;
	policy = t.blob + t.info.underflow[NF_INET_FORWARD];
	if (!fxt_is(fxt_target(f, policy), XT_STANDARD_TARGET) ||
	    fxt_verdict((const uint8_t *)fxt_target(f, policy)) != -NF_DROP - 1)
		goto out; /* FORWARD accepts: nothing to let through */
	docker = fxt_chain(f, &t, FXT_DOCKER_USER);
	*chain = docker >= 0 ? FXT_DOCKER_USER : "FORWARD";
	ins = docker >= 0 ? (long)(t.off[docker] +
				   fxt_u16(t.blob + t.off[docker] + f->off_next)) :
			    (long)t.info.hook_entry[NF_INET_FORWARD];
	end = docker >= 0 ? t.info.size : t.info.underflow[NF_INET_FORWARD];
	for (i = 0; i < t.n; i++) {
		if (t.off[i] < (unsigned long)ins || t.off[i] >= end)
			continue;
		if (docker >= 0 &&
		    fxt_is(fxt_target(f, t.blob + t.off[i]), XT_ERROR_TARGET))
			break; /* the next chain */
		if (fxt_tagged(f, t.blob + t.off[i]) && n_del < 2)
			del[n_del++] = i;
	}
	if (n_del == 2)
		goto out; /* there already */
	/* A lone one (someone deleted the other) goes first, then both come. */
	ret = n_del ? fxt_replace(f, sock, &t, del, n_del, -1) : 0;
	if (ret == 0 && n_del) {
		fxt_free(&t);
		ret = fxt_read(f, sock, &t);
		docker = ret == 0 ? fxt_chain(f, &t, FXT_DOCKER_USER) : -1;
		ins = docker >= 0 ?
			      (long)(t.off[docker] +
				     fxt_u16(t.blob + t.off[docker] + f->off_next)) :
			      (long)t.info.hook_entry[NF_INET_FORWARD];
	}
	if (ret == 0)
		ret = fxt_replace(f, sock, &t, NULL, 0, ins);
	if (ret == 0)
		ret = 1;
out:
	fxt_free(&t);
	return ret;
}

/* Withdraw in one family: delete every rule tagged as plumb's. */
static int fxt_withdraw_one(const struct fxt_family *f, int sock)
{
	struct fxt_table t;
	unsigned int *del = NULL, n_del = 0, i;
	int ret;

	ret = fxt_read(f, sock, &t);
	if (ret == 0) {
		del = calloc(t.n ? t.n : 1, sizeof(*del));
		ret = del ? 0 : -ENOMEM;
	}
	for (i = 0; ret == 0 && i < t.n; i++) {
		if (fxt_tagged(f, t.blob + t.off[i]))
			del[n_del++] = i;
	}
	if (ret == 0 && n_del)
		ret = fxt_replace(f, sock, &t, del, n_del, -1);
	free(del);
	fxt_free(&t);
	return ret;
}

/*
 * Take iptables' lock, waiting FXT_LOCK_WAIT_SEC at most: an iptables that
 * hangs holding it (or Docker stuck in one) must not stall every setup.
 * Return: the lock's fd, or negative errno (logged).
 */
static int fxt_lock(void)
{
	const struct timespec step = { .tv_nsec = FXT_LOCK_STEP_MS * 1000000L };
	struct timespec now, end;
	int fd, ret = 0;

	fd = open(FXT_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_err(-errno, "open %s", FXT_LOCK);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += FXT_LOCK_WAIT_SEC;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			ret = log_err(-errno, "take %s", FXT_LOCK);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)) {
			ret = log_errx(-ETIMEDOUT,
				       "take %s: another program has held it for %d s "
				       "(an iptables or a Docker that hangs?)",
				       FXT_LOCK, FXT_LOCK_WAIT_SEC);
			break;
		}
		nanosleep(&step, NULL); /* EINTR: the loop looks again */
	}
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* Both families, inside the namespace, under iptables' lock. */
static int fxt_run(void *arg)
{
	struct fxt_call *c = arg;
	const struct fxt_family *f;
	const char *chain = NULL;
	int lock = -1, sock, attempt, ret = 0;
	size_t i;

	for (i = 0; ret >= 0 && i < sizeof(fxt_families) / sizeof(fxt_families[0]); i++) {
		f = &fxt_families[i];
		if (!fxt_present(f))
			continue;
		if (lock < 0 && (lock = fxt_lock()) < 0)
			return lock;
		sock = socket(f->af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sock < 0) {
			ret = log_err(-errno, "open a socket for %s", f->what);
			break;
		}
		for (attempt = 0; attempt < FXT_RETRIES; attempt++) {
			ret = c->withdraw ? fxt_withdraw_one(f, sock) :
					    fxt_admit_one(f, sock, &chain);
			if (ret != -EAGAIN)
				break;
		}
		close(sock);
		if (ret < 0)
			ret = log_err(ret, "%s plumb's rules in %s's table %s",
				      c->withdraw ? "remove" : "put", f->what, FXT_TABLE);
		else if (ret > 0)
			log_notice(
				"%s chain %s FORWARD drops what it does not accept: plumb "
				"put two rules that let its bridges through (interface "
				"group 0x%x) at the head of %s; plumb-nat flush removes "
				"them",
				f->what, FXT_TABLE, BRIDGE_GROUP,
				strcmp(chain, "FORWARD") ? chain : "it");
	}
	if (lock >= 0)
		close(lock);
	return ret < 0 ? ret : 0;
}

/**
 * foreign_xt_admit() - put plumb's two rules at the head of iptables-legacy's
 * FORWARD (or DOCKER-USER) where FORWARD drops by policy
 * @netns_fd:	the namespace, -1 for ours
 * @nets:	unused: the rules match every network's bridge
 * @n:		unused
 *
 * Return: 0 or negative errno (logged).
 */
int foreign_xt_admit(int netns_fd, const struct foreign_net *nets, size_t n)
{
	struct fxt_call c = { 0 };

	(void)nets;
	(void)n;
	return netns_fd >= 0 ? netns_run(netns_fd, fxt_run, &c) : fxt_run(&c);
}

/**
 * foreign_xt_withdraw() - delete every rule tagged as plumb's from
 * iptables-legacy's filter tables
 * @netns_fd:	the namespace, -1 for ours
 *
 * Return: 0 or negative errno (logged).
 */
int foreign_xt_withdraw(int netns_fd)
{
	struct fxt_call c = { .withdraw = 1 };

	return netns_fd >= 0 ? netns_run(netns_fd, fxt_run, &c) : fxt_run(&c);
}
