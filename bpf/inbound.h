/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inbound helpers of the sk_lookup programs in redirect.c: which interfaces are steered, which
 * connections are the proxy's own inbound leg (never steered back to it), and the registration
 * of listening sockets (sock_ops). Included once,
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

/*
 * The network namespace inode of a listening socket (ns.inum: what stat() of /proc/PID/ns/net
 * gives as st_ino), read through BTF; 0 when it is not a TCP socket. sk_assign does not check the
 * namespace (a socket of any namespace is accepted), and bpf_get_netns_cookie is refused in
 * sk_lookup, so this is how a node-mode Pod's rule tells the Pod's listener from a foreign one.
 */
static __always_inline __u32 listener_netns_ino(struct bpf_sock *sk)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);

	if (!tp)
		return 0;
	return tp->inet_conn.icsk_inet.sk.__sk_common.skc_net.net->ns.inum;
}

/*
 * A socket that starts listening (sock_ops TCP_LISTEN_CB, in the listen() caller's context):
 * registered under its owner, so an inbound rule naming that owner can have connections handed to
 * it. Both families of a dual-stack socket are the socket's family here (AF_INET6).
 */
static __always_inline void register_listener(struct bpf_sock_ops *skops, __u64 owner)
{
	struct sluice_listener_key key = {};

	key.owner = owner;
	key.family = skops->family;
	key.port = (__u16)skops->local_port; /* host byte order */
	if (bpf_sock_hash_update(skops, &sluice_proxy_listeners, &key, BPF_ANY) == 0)
		count(SLUICE_STAT_LISTENER_ADDED);
}

/*
 * A proxy's connection opening (sock_ops TCP_CONNECT_CB: the source port is bound, the SYN has
 * not left): if it is the inbound leg (marked by its cluster), its 4-tuple is recorded so that
 * sk_lookup lets it through to the workload. The outbound leg is a client like any other.
 * Callers make sure the socket is a proxy's.
 */
static __always_inline void record_inbound_leg(struct bpf_sock_ops *skops)
{
	struct sluice_sock_key conn = {};
	struct bpf_sock *sk = skops->sk;
	__u32 zero = 0;

	if (!sk || sk->mark != SLUICE_MARK_INBOUND_LEG)
		return;
	sockops_key(skops, &conn);
	bpf_map_update_elem(&sluice_proxy_conns, &conn, &zero, BPF_ANY);
}

#endif /* SLUICE_INBOUND_H */
