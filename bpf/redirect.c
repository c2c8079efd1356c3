// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sluice transparent redirection.
 *
 *   outbound  cgroup/connect4, cgroup/connect6: a workload's connect() to a selected destination
 *             is rewritten to the proxy's outbound listener; the original destination is kept
 *             under the socket cookie.
 *             sockops: once the connection is established, the cookie entry becomes a flow entry
 *             keyed by the 4-tuple, the only thing the proxy's accepted socket can see.
 *             cgroup/getsockopt: SO_ORIGINAL_DST (and IP6T_SO_ORIGINAL_DST) on the proxy's
 *             accepted socket answers from the flow map, so Envoy's original_dst filter works.
 *   inbound   tc ingress: a new connection from another host to a protected workload port is
 *             handed to the proxy's inbound listener with bpf_sk_assign; the accepted socket's
 *             local address is the original destination.
 *   optional  sk_msg on a sockhash: client<->proxy bytes skip the TCP/IP stack (off by default).
 *
 * Layouts and constants live in redirect.h, the maps in maps.h, the inbound packet helpers in
 * inbound.h. Entry points are thin; the work is in
 * static __always_inline helpers (BPF-to-BPF calls would also do, but inlining keeps the
 * verifier's view of ctx pointers simple).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "redirect.h"

/* Not in vmlinux.h (they are #defines in the UAPI headers). */
#define IPPROTO_TCP_NUM 6
#define SOCK_STREAM_NUM 1
#define TCP_LISTEN_STATE 10

#include "maps.h"
#include "inbound.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Written by the loader through the .rodata map before load; the verifier sees constants. */
const volatile struct sluice_config sluice_cfg = {};

/* ---------------------------------------------------------------- helpers */

/*
 * The proxy's own connections must never be rewritten, or the proxy would connect to itself.
 * The programs attach to workload cgroups only; a proxy that lives below one (a sidecar) is
 * recognised by its cgroup id, and any socket carrying the configured mark is left alone too.
 */
static __always_inline bool is_proxy(struct bpf_sock_addr *ctx)
{
	__u64 cgid = bpf_get_current_cgroup_id();
	struct bpf_sock *sk = ctx->sk;

	if (bpf_map_lookup_elem(&sluice_proxy_cgroups, &cgid))
		return true;
	return sluice_cfg.proxy_mark != 0 && sk && sk->mark == sluice_cfg.proxy_mark;
}

/* Remember where the workload wanted to go, under the socket cookie (the port is not bound yet). */
static __always_inline void remember(struct bpf_sock_addr *ctx, const struct sluice_rule_key *key,
				     const __u32 *orig_addr)
{
	struct sluice_orig_dst orig = {};
	__u64 cookie = bpf_get_socket_cookie(ctx);

	orig.addr[0] = orig_addr[0];
	orig.addr[1] = orig_addr[1];
	orig.addr[2] = orig_addr[2];
	orig.addr[3] = orig_addr[3];
	orig.port = key->port;
	orig.family = key->family;
	bpf_map_update_elem(&sluice_cookies, &cookie, &orig, BPF_ANY);
}

/* ---------------------------------------------------------------- outbound: connect */

SEC("cgroup/connect4")
int sluice_connect4(struct bpf_sock_addr *ctx)
{
	struct sluice_rule_key key = {};
	struct sluice_rule_value *rule;
	__u32 orig[4] = {};

	if (ctx->type != SOCK_STREAM_NUM)
		return SLUICE_CG_ALLOW;
	key.family = SLUICE_AF_INET;
	key.addr[0] = ctx->user_ip4;
	/* user_port holds the port in network byte order in its low 16 bits. */
	key.port = bpf_ntohs((__u16)ctx->user_port);
	orig[0] = key.addr[0];

	rule = find_rule(&sluice_out_rules, &key);
	if (!rule)
		return SLUICE_CG_ALLOW;
	if (is_proxy(ctx)) {
		count(SLUICE_STAT_OUT_SKIPPED_PROXY);
		return SLUICE_CG_ALLOW;
	}
	remember(ctx, &key, orig);
	ctx->user_ip4 = rule->proxy_addr[0];
	ctx->user_port = bpf_htons(rule->proxy_port);
	count(SLUICE_STAT_OUT_REDIRECTED);
	return SLUICE_CG_ALLOW;
}

SEC("cgroup/connect6")
int sluice_connect6(struct bpf_sock_addr *ctx)
{
	struct sluice_rule_key key = {};
	struct sluice_rule_value *rule;
	__u32 orig[4];
	bool mapped;

	if (ctx->type != SOCK_STREAM_NUM)
		return SLUICE_CG_ALLOW;
	/* The verifier allows only 4-byte reads of user_ip6, one word at a time. */
	orig[0] = ctx->user_ip6[0];
	orig[1] = ctx->user_ip6[1];
	orig[2] = ctx->user_ip6[2];
	orig[3] = ctx->user_ip6[3];
	key.port = bpf_ntohs((__u16)ctx->user_port);
	mapped = is_v4_mapped(orig);
	if (mapped) {
		/* A dual-stack socket dialling an IPv4 peer: match and remember it as IPv4. */
		key.family = SLUICE_AF_INET;
		key.addr[0] = orig[3];
		orig[0] = orig[3];
		orig[1] = orig[2] = orig[3] = 0;
	} else {
		key.family = SLUICE_AF_INET6;
		key.addr[0] = orig[0];
		key.addr[1] = orig[1];
		key.addr[2] = orig[2];
		key.addr[3] = orig[3];
	}

	rule = find_rule(&sluice_out_rules, &key);
	if (!rule)
		return SLUICE_CG_ALLOW;
	if (is_proxy(ctx)) {
		count(SLUICE_STAT_OUT_SKIPPED_PROXY);
		return SLUICE_CG_ALLOW;
	}
	remember(ctx, &key, orig);
	if (mapped) {
		ctx->user_ip6[0] = 0;
		ctx->user_ip6[1] = 0;
		ctx->user_ip6[2] = bpf_htonl(0x0000ffff);
		ctx->user_ip6[3] = rule->proxy_addr[0];
	} else {
		ctx->user_ip6[0] = rule->proxy_addr[0];
		ctx->user_ip6[1] = rule->proxy_addr[1];
		ctx->user_ip6[2] = rule->proxy_addr[2];
		ctx->user_ip6[3] = rule->proxy_addr[3];
	}
	ctx->user_port = bpf_htons(rule->proxy_port);
	count(SLUICE_STAT_OUT_REDIRECTED);
	return SLUICE_CG_ALLOW;
}

/* ---------------------------------------------------------------- outbound: sockops */

/* Copy a socket's addresses, folding IPv4-mapped IPv6 to IPv4. Returns the family used. */
static __always_inline __u8 fold_addrs(__u32 family, __u32 l4, const __u32 *l6, __u32 r4,
				       const __u32 *r6, __u32 *local, __u32 *remote)
{
	if (family == SLUICE_AF_INET) {
		local[0] = l4;
		remote[0] = r4;
		return SLUICE_AF_INET;
	}
	if (is_v4_mapped(l6) && is_v4_mapped(r6)) {
		local[0] = l6[3];
		remote[0] = r6[3];
		return SLUICE_AF_INET;
	}
	local[0] = l6[0]; local[1] = l6[1]; local[2] = l6[2]; local[3] = l6[3];
	remote[0] = r6[0]; remote[1] = r6[1]; remote[2] = r6[2]; remote[3] = r6[3];
	return SLUICE_AF_INET6;
}

/* A socket's own view of its connection, from sockops context fields. */
static __always_inline void sockops_key(struct bpf_sock_ops *skops, struct sluice_sock_key *key)
{
	/* sock_ops fields may only be read as whole words: copy them out first. */
	__u32 l6[4] = { skops->local_ip6[0], skops->local_ip6[1], skops->local_ip6[2],
			skops->local_ip6[3] };
	__u32 r6[4] = { skops->remote_ip6[0], skops->remote_ip6[1], skops->remote_ip6[2],
			skops->remote_ip6[3] };

	key->family = fold_addrs(skops->family, skops->local_ip4, l6, skops->remote_ip4, r6,
				 key->local_addr, key->remote_addr);
	key->local_port = (__u16)skops->local_port;            /* host byte order */
	key->remote_port = (__u16)bpf_ntohl(skops->remote_port); /* network order, upper half */
}

/* The client's connection is up: move its original destination from cookie to 4-tuple. */
static __always_inline void record_flow(struct bpf_sock_ops *skops, const struct sluice_sock_key *sk)
{
	__u64 cookie = bpf_get_socket_cookie(skops);
	struct sluice_orig_dst *orig = bpf_map_lookup_elem(&sluice_cookies, &cookie);
	struct sluice_flow_key flow = {};

	if (!orig)
		return;
	__builtin_memcpy(flow.client_addr, sk->local_addr, sizeof(flow.client_addr));
	__builtin_memcpy(flow.proxy_addr, sk->remote_addr, sizeof(flow.proxy_addr));
	flow.client_port = sk->local_port;
	flow.proxy_port = sk->remote_port;
	flow.family = sk->family;
	/*
	 * The flow entry is written before the final ACK leaves (this callback runs in
	 * tcp_finish_connect), so it exists before the proxy can accept the connection. It is not
	 * deleted on close: the proxy may ask after the client has gone. LRU eviction and reuse
	 * of the same 4-tuple (which overwrites it) retire it.
	 */
	bpf_map_update_elem(&sluice_flows, &flow, orig, BPF_ANY);
	bpf_map_delete_elem(&sluice_cookies, &cookie);
	count(SLUICE_STAT_FLOW_RECORDED);
	if (sluice_cfg.flags & SLUICE_CFG_F_SOCKMAP) {
		if (bpf_sock_hash_update(skops, &sluice_sockhash, (void *)sk, BPF_ANY) == 0)
			count(SLUICE_STAT_SOCKMAP_ADDED);
	}
}

/* The proxy accepted a redirected connection: its socket joins the sockhash (fast path only). */
static __always_inline void accept_flow(struct bpf_sock_ops *skops, struct sluice_sock_key *sk)
{
	struct sluice_flow_key flow = {};

	if (!(sluice_cfg.flags & SLUICE_CFG_F_SOCKMAP))
		return;
	__builtin_memcpy(flow.client_addr, sk->remote_addr, sizeof(flow.client_addr));
	__builtin_memcpy(flow.proxy_addr, sk->local_addr, sizeof(flow.proxy_addr));
	flow.client_port = sk->remote_port;
	flow.proxy_port = sk->local_port;
	flow.family = sk->family;
	if (!bpf_map_lookup_elem(&sluice_flows, &flow))
		return;
	if (bpf_sock_hash_update(skops, &sluice_sockhash, sk, BPF_ANY) == 0)
		count(SLUICE_STAT_SOCKMAP_ADDED);
}

SEC("sockops")
int sluice_sockops(struct bpf_sock_ops *skops)
{
	struct sluice_sock_key key = {};

	if (skops->family != SLUICE_AF_INET && skops->family != SLUICE_AF_INET6)
		return SLUICE_CG_ALLOW;
	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		sockops_key(skops, &key);
		record_flow(skops, &key);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		sockops_key(skops, &key);
		accept_flow(skops, &key);
		break;
	default:
		break;
	}
	return SLUICE_CG_ALLOW;
}

/* ---------------------------------------------------------------- outbound: getsockopt */

static __always_inline int answer_v4(struct bpf_sockopt *ctx, const struct sluice_orig_dst *orig)
{
	struct sockaddr_in *sin = ctx->optval;

	/* optval is a packet-like pointer: every byte written must be proven below optval_end. */
	if ((void *)(sin + 1) > ctx->optval_end)
		return SLUICE_CG_ALLOW;
	__builtin_memset(sin, 0, sizeof(*sin)); /* includes the 8 padding bytes (__pad) */
	sin->sin_family = SLUICE_AF_INET;
	sin->sin_port = bpf_htons(orig->port);
	sin->sin_addr.s_addr = orig->addr[0];
	ctx->optlen = sizeof(*sin);
	ctx->retval = 0; /* the kernel said ENOPROTOOPT/ENOENT (no conntrack); we answered */
	count(SLUICE_STAT_SOCKOPT_ANSWERED);
	return SLUICE_CG_ALLOW;
}

static __always_inline int answer_v6(struct bpf_sockopt *ctx, const struct sluice_orig_dst *orig)
{
	struct sockaddr_in6 *sin6 = ctx->optval;

	if ((void *)(sin6 + 1) > ctx->optval_end)
		return SLUICE_CG_ALLOW;
	__builtin_memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = SLUICE_AF_INET6;
	sin6->sin6_port = bpf_htons(orig->port);
	if (orig->family == SLUICE_AF_INET) {
		sin6->sin6_addr.in6_u.u6_addr32[2] = bpf_htonl(0x0000ffff);
		sin6->sin6_addr.in6_u.u6_addr32[3] = orig->addr[0];
	} else {
		sin6->sin6_addr.in6_u.u6_addr32[0] = orig->addr[0];
		sin6->sin6_addr.in6_u.u6_addr32[1] = orig->addr[1];
		sin6->sin6_addr.in6_u.u6_addr32[2] = orig->addr[2];
		sin6->sin6_addr.in6_u.u6_addr32[3] = orig->addr[3];
	}
	ctx->optlen = sizeof(*sin6);
	ctx->retval = 0;
	count(SLUICE_STAT_SOCKOPT_ANSWERED);
	return SLUICE_CG_ALLOW;
}

/*
 * This hook sees every getsockopt of every socket in the cgroup, so it leaves at once for
 * anything but SO_ORIGINAL_DST; it never touches optval/optlen then. (For optval larger than a
 * page the kernel hands us only the first page, and an untouched ctx keeps the kernel's answer.)
 */
SEC("cgroup/getsockopt")
int sluice_getsockopt(struct bpf_sockopt *ctx)
{
	struct sluice_flow_key flow = {};
	struct sluice_orig_dst *orig;
	struct bpf_sock *sk = ctx->sk;
	__u32 l6[4], r6[4];

	if (ctx->optname != SLUICE_SO_ORIGINAL_DST)
		return SLUICE_CG_ALLOW;
	if (ctx->level != SLUICE_SOL_IP && ctx->level != SLUICE_SOL_IPV6)
		return SLUICE_CG_ALLOW;
	if (!sk)
		return SLUICE_CG_ALLOW;

	l6[0] = sk->src_ip6[0]; l6[1] = sk->src_ip6[1]; l6[2] = sk->src_ip6[2]; l6[3] = sk->src_ip6[3];
	r6[0] = sk->dst_ip6[0]; r6[1] = sk->dst_ip6[1]; r6[2] = sk->dst_ip6[2]; r6[3] = sk->dst_ip6[3];
	/* On the proxy's accepted socket, local is the proxy and remote is the client. */
	flow.family = fold_addrs(sk->family, sk->src_ip4, l6, sk->dst_ip4, r6, flow.proxy_addr,
				 flow.client_addr);
	flow.proxy_port = (__u16)sk->src_port;          /* host byte order */
	flow.client_port = bpf_ntohs(sk->dst_port);     /* network byte order */

	orig = bpf_map_lookup_elem(&sluice_flows, &flow);
	if (!orig)
		return SLUICE_CG_ALLOW; /* not ours: an iptables REDIRECT's conntrack answer stands */
	if (ctx->level == SLUICE_SOL_IP) {
		if (orig->family != SLUICE_AF_INET)
			return SLUICE_CG_ALLOW; /* an IPv6 destination has no sockaddr_in form */
		return answer_v4(ctx, orig);
	}
	return answer_v6(ctx, orig);
}

/* ---------------------------------------------------------------- optional: sk_msg */

/* Deliver the bytes straight to the peer socket's receive queue, if the peer is in the hash. */
SEC("sk_msg")
int sluice_sk_msg(struct sk_msg_md *msg)
{
	struct sluice_sock_key peer = {};

	if (msg->family == SLUICE_AF_INET) {
		peer.family = SLUICE_AF_INET;
		peer.local_addr[0] = msg->remote_ip4;
		peer.remote_addr[0] = msg->local_ip4;
	} else {
		/* ctx fields are read one word at a time into the stack (no ctx pointer arithmetic). */
		__u32 l6[4] = { msg->local_ip6[0], msg->local_ip6[1], msg->local_ip6[2], msg->local_ip6[3] };
		__u32 r6[4] = { msg->remote_ip6[0], msg->remote_ip6[1], msg->remote_ip6[2],
				msg->remote_ip6[3] };

		peer.family = fold_addrs(SLUICE_AF_INET6, 0, r6, 0, l6, peer.local_addr,
					 peer.remote_addr);
	}
	peer.local_port = (__u16)bpf_ntohl(msg->remote_port);
	peer.remote_port = (__u16)msg->local_port;
	/* No peer in the hash (e.g. the proxy's upstream leg): the normal stack carries it. */
	bpf_msg_redirect_hash(msg, &sluice_sockhash, &peer, BPF_F_INGRESS);
	return SLUICE_SK_PASS;
}

/* ---------------------------------------------------------------- inbound: tc ingress */

SEC("tc")
int sluice_tc_ingress(struct __sk_buff *skb)
{
	struct sluice_rule_value *rule;
	struct parsed p = {};
	struct bpf_sock *sk;

	if (!parse_tcp(skb, &p))
		return SLUICE_TC_OK;
	rule = find_rule(&sluice_in_rules, &p.key);
	if (!rule)
		return SLUICE_TC_OK;
	/*
	 * A packet of a connection that already exists (or is being set up: a request socket)
	 * goes to its own socket by the normal lookup. Only packets nobody owns yet, or that the
	 * workload's own listener would take, are steered.
	 */
	sk = lookup_tcp(skb, &p);
	if (sk) {
		bool listener = sk->state == TCP_LISTEN_STATE;

		bpf_sk_release(sk);
		if (!listener)
			return SLUICE_TC_OK;
	}
	return steer(skb, &p, rule->proxy_port);
}
