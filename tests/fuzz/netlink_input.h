/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink_input.h: the input of fuzz_netlink, shared with capture.c which
 * records seeds from the kernel.
 *
 * Input: a byte choosing what to call (enum fz_mode), a byte of parameter
 * (set, family, index), then datagrams, each a flags byte, a 16-bit
 * little-endian length and the bytes. With FZ_SEQ_FIX every message of the
 * datagram gets one of the sequence numbers of the requests just sent (its
 * own modulo their count), so that the fuzzer need not guess them. For
 * FZ_WAIT the first datagram is the requests themselves.
 */
#ifndef PLUMB_FUZZ_NETLINK_INPUT_H
#define PLUMB_FUZZ_NETLINK_INPUT_H

enum fz_mode {
	FZ_WAIT,	 /* nl_wait_start() on the first datagram, then nl_wait_feed() */
	FZ_LINK_GET,	 /* nl_link_get("eth0"), or nl_link_get_index(2) if param & 1 */
	FZ_LINK_DUMP,	 /* nl_link_for_each() */
	FZ_ADDR_DUMP,	 /* nl_addr_for_each(): family param % 3, ifindex 2 if param & 4 */
	FZ_ROUTE_DUMP,	 /* nl_route_for_each(): AF_INET6 if param & 1 */
	FZ_ROUTE_OIF,	 /* nl_route_get_oif(10.88.0.2) */
	FZ_NSID,	 /* netns_get_id() */
	FZ_NFT_GEN,	 /* nft_gen_get() */
	FZ_NFT_TABLE,	 /* nft_table_exists() */
	FZ_NFT_ELEMS,	 /* nft_elem_for_each(): set param % NFT_SET_COUNT */
	FZ_NFT_ELEM_GET, /* nft_elem_get(): set param % NFT_SET_COUNT, key 0 */
	FZ_NAT_LIST,	 /* nat_list() */
	FZ_CONNTRACK,	 /* conntrack_flush(): AF_INET6 if param & 1, udp 8080(-8090 if
			    param & 2) */
	FZ_MODES,
};

#define FZ_SEQ_FIX 0x1

#endif
