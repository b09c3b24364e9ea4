// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft: plumb's nftables table through libnftnl: transactions, and the
 * elements of its sets and maps.
 *
 * Theory of operation: every change is one nfnetlink batch, applied by the
 * kernel entirely or not at all. It is committed against the ruleset
 * generation the caller read before deciding what to change (NFNL_BATCH_GENID):
 * if another writer committed meanwhile, the kernel refuses it with ERESTART
 * and the caller reads and decides again. An element added with NLM_F_EXCL
 * fails the transaction if its key exists, so a host port is never silently
 * taken over. The table itself is created in the same transaction as the
 * first elements, so it never exists half-made.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <plumb/log.h>
#include <plumb/nft.h>

#include "nft_buf.h"

#define NFT_ELEMS_PER_MSG 256 /* keeps a message's element list under 64 KiB */

/**
 * nft_open() - open a netfilter socket in a namespace
 * @nl:		the socket to fill
 * @netns_fd:	the namespace, or -1 for ours
 *
 * Return: 0 or negative errno (logged).
 */
int nft_open(struct nl_sock *nl, int netns_fd)
{
	int ret = nl_open_netns(nl, NETLINK_NETFILTER, netns_fd);

	if (ret < 0)
		return log_err(ret, "open netfilter socket");
	return 0;
}

static int nft_gen_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	uint32_t *genid = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) == NFTA_GEN_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*genid = ntohl(mnl_attr_get_u32(attr));
	}
	return MNL_CB_OK;
}

/**
 * nft_gen_get() - read the ruleset generation
 * @nl:		netfilter socket
 * @genid:	the generation
 *
 * Return: 0 or negative errno (logged).
 */
int nft_gen_get(struct nl_sock *nl, uint32_t *genid)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, NFPROTO_UNSPEC, 0, 0);
	ret = nl_request(nl, nlh, nft_gen_cb, genid);
	if (ret < 0)
		return nl_err(nl, ret, "read the nftables generation");
	return 0;
}

/*
 * The string of type @type in user data, such as a comment: user data is
 * records of a type byte, a length byte and the value (libnftnl's udata
 * format, which nft writes too); a record running past the user data ends
 * the walk. @out is left as it was when there is none.
 */
static void nft_udata_str(const uint8_t *u, size_t len, uint8_t type, char *out,
			  size_t size)
{
	size_t off = 0, n;

	while (len - off >= 2) {
		n = u[off + 1];
		if (n > len - off - 2)
			return;
		if (u[off] == type && n && !u[off + 1 + n]) {
			snprintf(out, size, "%s", (const char *)u + off + 2);
			return;
		}
		off += 2 + n;
	}
}

/* The comment of a NEWTABLE answer (NFTA_TABLE_USERDATA). */
static int nft_table_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) == NFTA_TABLE_USERDATA)
			nft_udata_str(mnl_attr_get_payload(attr),
				      mnl_attr_get_payload_len(attr),
				      NFTNL_UDATA_TABLE_COMMENT, data, NFT_OWNER_MAX + 1);
	}
	return MNL_CB_OK;
}

/**
 * nft_table_layout() - the layout of plumb's table, read from its comment
 * @nl:		netfilter socket
 *
 * Return: 0 when there is no table, its layout (NFT_LAYOUT when it is this
 * plumb's; 1 for a table that names none, as plumb's did before the number
 * was kept), or negative errno (logged).
 */
int nft_table_layout(struct nl_sock *nl)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	char comment[NFT_OWNER_MAX + 1] = "";
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	const char *at;
	long layout;
	int ret;

	if (!t)
		return log_err(-ENOMEM, "look up table inet " NFT_TABLE);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET, 0, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	ret = nl_request(nl, nlh, nft_table_cb, comment);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return nl_err(nl, ret, "look up table inet " NFT_TABLE);
	at = strstr(comment, NFT_LAYOUT_WORD);
	layout = at ? strtol(at + strlen(NFT_LAYOUT_WORD), NULL, 10) : 1;
	return layout > 1 && layout < 1000 ? (int)layout : 1;
}

/**
 * nft_table_exists() - tell whether plumb's table exists
 * @nl:		netfilter socket
 *
 * Return: 1, 0, or negative errno (logged).
 */
int nft_table_exists(struct nl_sock *nl)
{
	int ret = nft_table_layout(nl);

	return ret > 0 ? 1 : ret;
}

/**
 * nft_batch_begin() - start a batch with its begin marker
 * @b:		the batch
 * @genid:	the ruleset generation it is built against, or 0 for any
 */
void nft_batch_begin(struct nft_buf *b, uint32_t genid)
{
	struct nlmsghdr *nlh = nftnl_batch_begin(nft_buf_room(b), ++b->seq);

	if (!nlh)
		return;
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	nft_buf_done(b, nlh);
}

/**
 * nft_batch_end() - end a batch with its end marker
 * @b:		the batch
 */
void nft_batch_end(struct nft_buf *b)
{
	char *room = nft_buf_room(b);

	if (room)
		nft_buf_done(b, nftnl_batch_end(room, ++b->seq));
}

/* Append the deletion of plumb's table to a batch. */
static void nft_put_table_del(struct nft_buf *b)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);

	if (!t || !room) {
		nftnl_table_free(t);
		b->err = -ENOMEM;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_DELTABLE, NFPROTO_INET, NLM_F_ACK,
				    ++b->seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nft_buf_done(b, nlh);
	nftnl_table_free(t);
}

static int nft_table_del_gen(struct nl_sock *nl, uint32_t genid)
{
	struct nft_buf b = { 0 };
	int ret;

	nft_batch_begin(&b, genid);
	nft_put_table_del(&b);
	nft_batch_end(&b);
	ret = b.err ? b.err : nl_send_batch(nl, b.data, b.len, NULL, NULL);
	nft_buf_free(&b);
	return ret;
}

/**
 * nft_table_del() - delete plumb's table, and nothing else
 * @nl:		netfilter socket
 *
 * Return: 0 (also when there is no table) or negative errno (logged).
 */
int nft_table_del(struct nl_sock *nl)
{
	int ret = nft_table_del_gen(nl, 0);

	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return nl_err(nl, ret, "delete table inet " NFT_TABLE);
	return 0;
}

static int nft_elem_seen(const struct nft_elem *e, void *arg)
{
	(void)e;
	*(int *)arg = 1;
	return -1; /* one is enough */
}

/**
 * nft_table_del_unused() - delete plumb's table when no set holds an element
 * @nl:		netfilter socket
 *
 * For whoever removed the last elements it added: the table goes with the
 * last user, as a shared bridge does. The deletion is committed against the
 * generation in which every set was seen empty, so an element another
 * writer adds meanwhile keeps the table.
 *
 * Return: 0 when the table is gone (or was), 1 when it is in use and stays,
 * or negative errno (logged).
 */
int nft_table_del_unused(struct nl_sock *nl)
{
	enum nft_set_id set;
	uint32_t genid;
	int attempt, used, ret = 0;

	for (attempt = 0; attempt < 32; attempt++) {
		ret = nft_gen_get(nl, &genid);
		if (ret < 0)
			return ret;
		ret = nft_table_exists(nl);
		if (ret <= 0)
			return ret;
		for (used = 0, set = 0; set < NFT_SET_COUNT && !used; set++) {
			ret = nft_elem_for_each(nl, set, nft_elem_seen, &used);
			if (ret < 0 && !used)
				return ret;
		}
		if (used)
			return 1;
		ret = nft_table_del_gen(nl, genid);
		if (ret != -ERESTART)
			break;
	}
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return nl_err(nl, ret, "delete table inet " NFT_TABLE);
	return 0;
}

/* --- elements -------------------------------------------------------- */

static struct nftnl_set_elem *nft_elem_to_nftnl(const struct nft_elem *e, int end)
{
	struct nftnl_set_elem *se = nftnl_set_elem_alloc();
	struct nftnl_udata_buf *ud;

	if (!se)
		return NULL;
	if (nft_set_concat(e->set)) /* the element holds both ends */
		nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY_END, e->key_end,
				   nft_key_len(e->set));
	if (end) {
		/* The end of an interval: the first key past it. */
		nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY, e->key_end,
				   nft_key_len(e->set));
		nftnl_set_elem_set_u32(se, NFTNL_SET_ELEM_FLAGS,
				       NFT_SET_ELEM_INTERVAL_END);
		return se;
	}
	nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY, e->key, nft_key_len(e->set));
	if (nft_data_len(e->set))
		nftnl_set_elem_set(se, NFTNL_SET_ELEM_DATA, e->data,
				   nft_data_len(e->set));
	if (!*e->owner)
		return se;
	ud = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 4);
	if (!ud || !nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, e->owner)) {
		nftnl_udata_buf_free(ud);
		nftnl_set_elem_free(se);
		return NULL;
	}
	nftnl_set_elem_set(se, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return se;
}

/* One NEWSETELEM or DELSETELEM message for up to NFT_ELEMS_PER_MSG elements
 * of one set, starting at @e; returns how many it took. */
static size_t nft_put_elems(struct nft_buf *b, uint16_t type, uint16_t flags,
			    const struct nft_elem *e, size_t n)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *se;
	struct nlmsghdr *nlh;
	char *room = nft_buf_room(b);
	size_t i;

	if (!s || !room) {
		nftnl_set_free(s);
		b->err = -ENOMEM;
		return n;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_set_name(e[0].set));
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	for (i = 0; i < n && i < NFT_ELEMS_PER_MSG && e[i].set == e[0].set; i++) {
		se = nft_elem_to_nftnl(&e[i], 0);
		if (se)
			nftnl_set_elem_add(s, se);
		if (e[i].has_end && !nft_set_concat(e[i].set) &&
		    (se = nft_elem_to_nftnl(&e[i], 1)))
			nftnl_set_elem_add(s, se);
		if (!se)
			b->err = -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(room, type, NFPROTO_INET, flags | NLM_F_ACK,
				    ++b->seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nft_buf_done(b, nlh);
	nftnl_set_free(s);
	return i;
}

/**
 * nft_commit() - apply a transaction against a ruleset generation
 * @nl:		netfilter socket
 * @genid:	the generation the caller's decisions rest on, or 0 for any
 * @txn:	what to do; elements of one set should be next to each other
 *
 * Deletions go first, so that a transaction can move a key from one value
 * to another.
 *
 * Return: 0, -ERESTART when the generation changed (read and try again),
 * -EEXIST when a key to add exists, -ENOENT when a key to delete does not
 * (or the table is missing), or another negative errno. Nothing is logged:
 * the caller knows what these mean for its user.
 */
int nft_commit(struct nl_sock *nl, uint32_t genid, const struct nft_txn *txn)
{
	struct nft_buf b = { 0 };
	size_t i;
	int ret;

	nft_batch_begin(&b, genid);
	if (txn->replace)
		nft_put_table_del(&b);
	if (txn->create || txn->replace)
		nft_rules_build(&b);
	for (i = 0; i < txn->n_del && !b.err;)
		i += nft_put_elems(&b, NFT_MSG_DELSETELEM, 0, txn->del + i,
				   txn->n_del - i);
	for (i = 0; i < txn->n_add && !b.err;)
		i += nft_put_elems(&b, NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL,
				   txn->add + i, txn->n_add - i);
	nft_batch_end(&b);
	ret = b.err ? b.err : nl_send_batch(nl, b.data, b.len, NULL, NULL);
	nft_buf_free(&b);
	return ret;
}

struct nft_elem_parse {
	enum nft_set_id set;
	int (*fn)(const struct nft_elem *e, void *arg);
	void *arg;
	struct nft_elem *one;
	int end; /* @one: its interval's end is looked up */
	int found;
	int err;
};

/*
 * The answers are read with libmnl, not libnftnl: nftnl_set_elems_nlmsg_parse()
 * calls exit() on an attribute it finds malformed ("kernel ABI is broken"),
 * and lib must never end the process; a malformed answer is -EBADMSG here.
 */

/* The value of a KEY or DATA nest (NFTA_DATA_VALUE), if it is @len bytes. */
static const void *nft_attr_value(const struct nlattr *nest, size_t len)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) == NFTA_DATA_VALUE)
			return mnl_attr_get_payload_len(attr) == len ?
				       mnl_attr_get_payload(attr) :
				       NULL;
	}
	return NULL;
}

/* The packets of a counter expression (NFTA_EXPR_NAME, NFTA_EXPR_DATA). */
static int nft_expr_counter(const struct nlattr *expr, struct nft_elem *e)
{
	const struct nlattr *attr, *data = NULL;
	int counter = 0;

	mnl_attr_for_each_nested(attr, expr) {
		if (mnl_attr_get_type(attr) == NFTA_EXPR_NAME) {
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -EBADMSG;
			counter = !strcmp(mnl_attr_get_str(attr), "counter");
		} else if (mnl_attr_get_type(attr) == NFTA_EXPR_DATA) {
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			data = attr;
		}
	}
	if (!counter || !data)
		return 0;
	mnl_attr_for_each_nested(attr, data) {
		if (mnl_attr_get_type(attr) != NFTA_COUNTER_PACKETS)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return -EBADMSG;
		e->packets = be64toh(mnl_attr_get_u64(attr));
		e->counted = 1;
	}
	return 0;
}

/*
 * An element's expressions: NFTA_SET_ELEM_EXPR holds the one of a set that
 * has one (as plumb's have), NFTA_SET_ELEM_EXPRESSIONS a list of several.
 */
static int nft_elem_exprs(const struct nlattr *attr, struct nft_elem *e)
{
	const struct nlattr *expr;

	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	if (mnl_attr_get_type(attr) == NFTA_SET_ELEM_EXPR)
		return nft_expr_counter(attr, e);
	mnl_attr_for_each_nested(expr, attr) {
		if (mnl_attr_get_type(expr) != NFTA_LIST_ELEM ||
		    mnl_attr_validate(expr, MNL_TYPE_NESTED) < 0 ||
		    nft_expr_counter(expr, e) < 0)
			return -EBADMSG;
	}
	return 0;
}

/* One NFTA_LIST_ELEM; an element without a key of the set's length is skipped. */
static int nft_elem_parse_one(const struct nlattr *nest, struct nft_elem_parse *p)
{
	size_t klen = nft_key_len(p->set), dlen = nft_data_len(p->set);
	struct nft_elem e = { .set = p->set };
	const struct nlattr *attr;
	const void *key = NULL, *key_end = NULL, *v;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case NFTA_SET_ELEM_FLAGS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			e.is_end = !!(ntohl(mnl_attr_get_u32(attr)) &
				      NFT_SET_ELEM_INTERVAL_END);
			break;
		case NFTA_SET_ELEM_KEY:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			key = nft_attr_value(attr, klen);
			break;
		case NFTA_SET_ELEM_KEY_END:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			key_end = nft_attr_value(attr, klen);
			break;
		case NFTA_SET_ELEM_DATA:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			v = nft_attr_value(attr, dlen);
			if (v && dlen)
				memcpy(e.data, v, dlen);
			break;
		case NFTA_SET_ELEM_USERDATA:
			nft_udata_str(mnl_attr_get_payload(attr),
				      mnl_attr_get_payload_len(attr),
				      NFTNL_UDATA_SET_ELEM_COMMENT, e.owner,
				      sizeof(e.owner));
			break;
		case NFTA_SET_ELEM_EXPR:
		case NFTA_SET_ELEM_EXPRESSIONS:
			if (nft_elem_exprs(attr, &e) < 0)
				return -EBADMSG;
			break;
		}
	}
	if (!key || (nft_set_concat(p->set) && !key_end))
		return 0;
	memcpy(e.key, key, klen);
	if (key_end) {
		memcpy(e.key_end, key_end, klen);
		e.has_end = 1;
	}
	if (p->one) {
		/* An interval set answers with the interval around the key. */
		if (e.is_end != p->end ||
		    memcmp(e.key, p->end ? p->one->key_end : p->one->key, klen) ||
		    (key_end && memcmp(e.key_end, p->one->key_end, klen)))
			return 0;
		if (!p->end) {
			memcpy(p->one->data, e.data, sizeof(e.data));
			memcpy(p->one->owner, e.owner, sizeof(e.owner));
		}
		p->found = 1;
		return 0;
	}
	p->err = p->fn(&e, p->arg);
	return p->err < 0 ? -ECANCELED : 0;
}

/* A NEWSETELEM message: its NFTA_SET_ELEM_LIST_ELEMENTS, one by one. */
static int nft_elems_parse(const struct nlmsghdr *nlh, struct nft_elem_parse *p)
{
	const struct nlattr *attr, *elem;
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		return -EBADMSG;
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		mnl_attr_for_each_nested(elem, attr) {
			if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM ||
			    mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			ret = nft_elem_parse_one(elem, p);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int nft_elems_cb(const struct nlmsghdr *nlh, void *data)
{
	int ret = nft_elems_parse(nlh, data);

	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* One GETSETELEM: @e's key, or with @end the end of its interval. */
static int nft_elem_lookup(struct nl_sock *nl, struct nft_elem *e, int end)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nft_elem_parse p = { .set = e->set, .one = e, .end = end };
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *se = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;
	int ret;

	if (!s || !se) {
		nftnl_set_free(s);
		nftnl_set_elem_free(se);
		return log_err(-ENOMEM, "look up an element");
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_set_name(e->set));
	nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY, end ? e->key_end : e->key,
			   nft_key_len(e->set));
	if (nft_set_concat(e->set))
		nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY_END, e->key_end,
				   nft_key_len(e->set));
	if (end)
		nftnl_set_elem_set_u32(se, NFTNL_SET_ELEM_FLAGS,
				       NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_elem_add(s, se);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, 0, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	ret = nl_request(nl, nlh, nft_elems_cb, &p);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return nl_err(nl, ret, "look up an element of %s", nft_set_name(e->set));
	return p.found;
}

struct nft_end_find {
	const struct nft_elem *e;
	uint8_t end[sizeof(((struct nft_elem *)0)->key)];
	int found;
};

/* The first end of an interval past @f->e's start. */
static int nft_end_first(const struct nft_elem *x, void *arg)
{
	struct nft_end_find *f = arg;
	size_t len = nft_key_len(x->set);

	if (x->is_end && memcmp(x->key, f->e->key, len) > 0 &&
	    (!f->found || memcmp(x->key, f->end, len) < 0)) {
		memcpy(f->end, x->key, len);
		f->found = 1;
	}
	return 0;
}

/*
 * Where one interval ends and the next starts, two elements have one key,
 * and the kernel's lookup of the end (nft_rbtree_get(), 6.18) finds the
 * start and says the end is missing, as "nft get element" does. Intervals
 * do not overlap: the interval at @e's start ends at the first end past it.
 */
static int nft_elem_end_listed(struct nl_sock *nl, const struct nft_elem *e)
{
	struct nft_end_find f = { .e = e };
	int ret = nft_elem_for_each(nl, e->set, nft_end_first, &f);

	if (ret < 0)
		return ret;
	return f.found && !memcmp(f.end, e->key_end, nft_key_len(e->set));
}

/**
 * nft_elem_get() - look one element up by key
 * @nl:		netfilter socket
 * @e:		its set and key (and @key_end for an interval); its data and
 *		owner are filled in when found
 *
 * Only the very element is found: not an interval that merely holds the
 * key, nor one that starts there and ends elsewhere. An element of
 * concatenated ranges comes back whole, with both ends, from one lookup.
 *
 * Return: 1 when found, 0 when not (or when there is no table), or negative
 * errno (logged).
 */
int nft_elem_get(struct nl_sock *nl, struct nft_elem *e)
{
	int ret = nft_elem_lookup(nl, e, 0);

	if (ret > 0 && e->has_end && !nft_set_concat(e->set)) {
		ret = nft_elem_lookup(nl, e, 1);
		if (ret == 0)
			ret = nft_elem_end_listed(nl, e);
	}
	return ret;
}

/**
 * nft_elem_for_each() - call a function for every element of a set
 * @nl:		netfilter socket
 * @set:	the set
 * @fn:		called with each; a negative return stops the walk
 * @arg:	passed to @fn
 *
 * Return: 0 (also when there is no table), what @fn returned when negative,
 * or negative errno (logged).
 */
int nft_elem_for_each(struct nl_sock *nl, enum nft_set_id set,
		      int (*fn)(const struct nft_elem *e, void *arg), void *arg)
{
	char buf[NL_MSG_MAX] __attribute__((aligned(8))) = { 0 };
	struct nft_elem_parse p = { .set = set, .fn = fn, .arg = arg };
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int ret;

	if (!s)
		return log_err(-ENOMEM, "list %s", nft_set_name(set));
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_set_name(set));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	ret = nl_request(nl, nlh, nft_elems_cb, &p);
	if (ret == -ENOENT)
		return 0;
	if (p.err < 0)
		return p.err;
	if (ret < 0)
		return nl_err(nl, ret, "list %s", nft_set_name(set));
	return 0;
}
