/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inbound helpers of the sk_lookup program in redirect.c: which interfaces are steered, and
 * which connections are the proxy's own inbound leg (never steered back to it). Included once,
 * by redirect.c, after outbound.h.
 */
#ifndef SLUICE_INBOUND_H
#define SLUICE_INBOUND_H

/* Whether connections arriving on this interface are steered (every one but loopback by default). */
static __always_inline bool steered_iface(__u32 ifindex)
{
	__u32 any = SLUICE_IFACE_ANY;

	if (bpf_map_lookup_elem(&sluice_inbound_ifaces, &ifindex))
		return true;
	return ifindex != SLUICE_LOOPBACK_IFINDEX && bpf_map_lookup_elem(&sluice_inbound_ifaces, &any);
}

/* Whether this connection is one the proxy opened itself (its key as the proxy's socket sees it). */
static __always_inline bool proxy_leg(struct bpf_sk_lookup *ctx)
{
	struct sluice_sock_key conn = {};

	conn.family = ctx->family;
	if (ctx->family == SLUICE_AF_INET) {
		conn.local_addr[0] = ctx->remote_ip4;
		conn.remote_addr[0] = ctx->local_ip4;
	} else {
		conn.local_addr[0] = ctx->remote_ip6[0];
		conn.local_addr[1] = ctx->remote_ip6[1];
		conn.local_addr[2] = ctx->remote_ip6[2];
		conn.local_addr[3] = ctx->remote_ip6[3];
		conn.remote_addr[0] = ctx->local_ip6[0];
		conn.remote_addr[1] = ctx->local_ip6[1];
		conn.remote_addr[2] = ctx->local_ip6[2];
		conn.remote_addr[3] = ctx->local_ip6[3];
	}
	conn.local_port = bpf_ntohs(ctx->remote_port); /* remote_port is network byte order */
	conn.remote_port = (__u16)ctx->local_port;
	return bpf_map_lookup_elem(&sluice_proxy_conns, &conn) != NULL;
}

#endif /* SLUICE_INBOUND_H */
