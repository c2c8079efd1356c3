/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Outbound helpers of redirect.c: who is connecting (the workload by cgroup, the proxy by cgroup
 * or mark), binding the workload's source address, the cookie → 4-tuple hand-over of original
 * destinations, and the SO_ORIGINAL_DST answers. Included once, by redirect.c, after maps.h.
 */
#ifndef SLUICE_OUTBOUND_H
#define SLUICE_OUTBOUND_H

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

/*
 * Which workload this connect() is from: the deepest cgroup, from the caller's own up to the
 * root, that sluice_workloads holds; 0 when the caller belongs to no workload with rules.
 * bpf_get_current_ancestor_cgroup_id(level) counts from the root and is 0 below the caller's
 * own level, so walking from the deepest level up finds the most specific workload first.
 */
static __always_inline __u64 caller_workload(void)
{
	__u64 id = bpf_get_current_cgroup_id();

	if (bpf_map_lookup_elem(&sluice_workloads, &id))
		return id;
	for (int level = SLUICE_MAX_CGROUP_DEPTH - 1; level >= 0; level--) {
		id = bpf_get_current_ancestor_cgroup_id(level);
		if (id && bpf_map_lookup_elem(&sluice_workloads, &id))
			return id;
	}
	return 0;
}

/*
 * Binds the source to the workload's address (port 0: the kernel still picks the port at
 * connect), so a client that binds nothing still arrives at the proxy as its workload. A socket
 * the client bound itself (-EINVAL: it has a local address or port already) may keep it only if
 * it is the workload's own address: another address would pass for another workload, and a port
 * alone leaves the proxy a source it cannot attribute. Returns false to refuse the connect: a
 * connection is never passed on under an identity that is not its own.
 */
static __always_inline bool bind_source4(struct bpf_sock_addr *ctx, const struct sluice_rule_value *rule)
{
	struct sockaddr_in sa = {};
	struct bpf_sock *sk;
	long err;

	if (!(rule->flags & SLUICE_RULE_F_BIND))
		return true;
	sa.sin_family = SLUICE_AF_INET;
	sa.sin_addr.s_addr = rule->bind_addr[0];
	err = bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa));
	if (err != -EINVAL_NUM)
		return err == 0;
	sk = ctx->sk;
	return sk && sk->src_ip4 == rule->bind_addr[0];
}

static __always_inline bool bind_source6(struct bpf_sock_addr *ctx, const struct sluice_rule_value *rule,
					 bool mapped)
{
	struct sockaddr_in6 sa = {};
	struct bpf_sock *sk;
	__u32 want[4];
	long err;

	if (!(rule->flags & SLUICE_RULE_F_BIND))
		return true;
	if (mapped) {
		want[0] = 0;
		want[1] = 0;
		want[2] = bpf_htonl(0x0000ffff);
		want[3] = rule->bind_addr[0];
	} else {
		want[0] = rule->bind_addr[0];
		want[1] = rule->bind_addr[1];
		want[2] = rule->bind_addr[2];
		want[3] = rule->bind_addr[3];
	}
	sa.sin6_family = SLUICE_AF_INET6;
	sa.sin6_addr.in6_u.u6_addr32[0] = want[0];
	sa.sin6_addr.in6_u.u6_addr32[1] = want[1];
	sa.sin6_addr.in6_u.u6_addr32[2] = want[2];
	sa.sin6_addr.in6_u.u6_addr32[3] = want[3];
	err = bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa));
	if (err != -EINVAL_NUM)
		return err == 0;
	sk = ctx->sk;
	/* bpf_sock fields are read one word at a time */
	return sk && sk->src_ip6[0] == want[0] && sk->src_ip6[1] == want[1] && sk->src_ip6[2] == want[2] &&
	       sk->src_ip6[3] == want[3];
}

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

#endif /* SLUICE_OUTBOUND_H */
