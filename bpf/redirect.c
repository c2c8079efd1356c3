// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sluice transparent redirection.
 *
 *   outbound  cgroup/connect4, cgroup/connect6: a workload's connect() to a destination its
 *             policies select is rewritten to the proxy's outbound listener, after binding the
 *             socket to the workload's own address (so the proxy knows whose connection it is,
 *             whether or not the client bound one); the original destination is kept under the
 *             socket cookie. The workload is the deepest cgroup above the caller that has rules.
 *             sockops: once the connection is established, the cookie entry becomes a flow entry
 *             keyed by the 4-tuple, the only thing the proxy's accepted socket can see.
 *             cgroup/getsockopt: SO_ORIGINAL_DST (and IP6T_SO_ORIGINAL_DST) on the proxy's
 *             accepted socket answers from the flow map, so Envoy's original_dst filter works.
 *   inbound   sk_lookup (per network namespace): the kernel asks which listening socket takes a
 *             new connection; for a protected destination the answer is the proxy's listener,
 *             whatever socket the 4-tuple matched before (a TIME_WAIT socket included), and when
 *             no proxy listens the connection is refused (RST), never delivered to the workload. The accepted socket's local address is
 *             the original destination. Established connections never reach this program.
 *             sockops in the proxy's cgroup registers each listening socket the proxy opens.
 *   optional  sk_msg on a sockhash: client<->proxy bytes skip the TCP/IP stack (off by default).
 *
 * Layouts and constants live in redirect.h, the maps in maps.h, the helpers in outbound.h and
 * inbound.h. Entry points are thin; the work is in static __always_inline helpers (BPF-to-BPF calls would also do, but inlining keeps the
 * verifier's view of ctx pointers simple).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "redirect.h"

/* Not in vmlinux.h (they are #defines in the UAPI headers). */
#define IPPROTO_TCP_NUM 6
#define SOCK_STREAM_NUM 1
#define EINVAL_NUM 22

#include "maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Written by the loader through the .rodata map before load; the verifier sees constants. */
const volatile struct sluice_config sluice_cfg = {};

#include "outbound.h"
#include "inbound.h"

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
	key.cgroup = caller_workload();
	if (!key.cgroup)
		return SLUICE_CG_ALLOW;

	rule = find_rule(&sluice_out_rules, &key);
	if (!rule)
		return SLUICE_CG_ALLOW;
	if (is_proxy(ctx)) {
		count(SLUICE_STAT_OUT_SKIPPED_PROXY);
		return SLUICE_CG_ALLOW;
	}
	if (!bind_source4(ctx, rule)) {
		count(SLUICE_STAT_OUT_BIND_FAILED);
		return SLUICE_CG_REJECT;
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
	key.cgroup = caller_workload();
	if (!key.cgroup)
		return SLUICE_CG_ALLOW;

	rule = find_rule(&sluice_out_rules, &key);
	if (!rule)
		return SLUICE_CG_ALLOW;
	if (is_proxy(ctx)) {
		count(SLUICE_STAT_OUT_SKIPPED_PROXY);
		return SLUICE_CG_ALLOW;
	}
	if (!bind_source6(ctx, rule, mapped)) {
		count(SLUICE_STAT_OUT_BIND_FAILED);
		return SLUICE_CG_REJECT;
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
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		/* Only on a sidecar inbound port: whoever listens there, under its own cgroup id. */
		if (bpf_map_lookup_elem(&sluice_sidecar_ports, &(__u32){ skops->local_port }))
			register_listener(skops, bpf_get_current_cgroup_id());
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		/* A sidecar's inbound leg, in its Pod's namespace: only a proxy cgroup's mark counts. */
		if (bpf_map_lookup_elem(&sluice_proxy_cgroups, &(__u64){ bpf_get_current_cgroup_id() }))
			record_inbound_leg(skops);
		break;
	default:
		break;
	}
	return SLUICE_CG_ALLOW;
}

/*
 * Attached to the node's proxy cgroups only (the agent Pod's containers, `sluice serve`'s
 * Envoy): every socket such a proxy starts listening on is registered with owner 0, so sk_lookup
 * in the node's namespace can hand it the connections its inbound rules name. A socket leaves the
 * sockhash by itself when it is closed, so a proxy that stops or crashes is gone from the map at
 * once, and new connections to protected ports are refused until a proxy listens again.
 * Workloads cannot register as owner 0: this program never runs for their sockets. (A listener
 * below the attach cgroup on a sidecar inbound port is registered by sluice_sockops under its own
 * cgroup id: a sidecar's is what its Pod's inbound rules name, the others are never named.)
 */
SEC("sockops")
int sluice_proxy_sockops(struct bpf_sock_ops *skops)
{
	if (skops->family != SLUICE_AF_INET && skops->family != SLUICE_AF_INET6)
		return SLUICE_CG_ALLOW;
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		register_listener(skops, 0);
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		record_inbound_leg(skops);
		break;
	default:
		break;
	}
	return SLUICE_CG_ALLOW;
}

/* ---------------------------------------------------------------- outbound: getsockopt */


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

/* ---------------------------------------------------------------- inbound: sk_lookup */


/*
 * Runs when the kernel looks for the listening socket of a new TCP connection (a SYN, a SYN that
 * reuses the 4-tuple of a TIME_WAIT socket, a SYN-cookie ACK) in this network namespace: never
 * for packets of an established connection. A protected destination goes to the proxy's
 * listener; with no proxy listening it is refused (SK_DROP makes the lookup fail, and the kernel
 * answers the SYN with a reset, as a port nobody listens on does), unless its rule fails open.
 */
static __always_inline int inbound_lookup(struct bpf_sk_lookup *ctx, bool pod)
{
	struct sluice_listener_key listener = {};
	struct sluice_rule_key key = {};
	struct sluice_rule_value *rule;
	struct bpf_sock *sk;
	long err;

	if (ctx->protocol != IPPROTO_TCP_NUM)
		return SLUICE_SK_PASS;
	/* A Pod's interfaces are all its own: every one but loopback is steered there. */
	if (pod ? ctx->ingress_ifindex == SLUICE_LOOPBACK_IFINDEX : !steered_iface(ctx->ingress_ifindex))
		return SLUICE_SK_PASS;
	if (ctx->family == SLUICE_AF_INET) {
		key.family = SLUICE_AF_INET;
		key.addr[0] = ctx->local_ip4;
	} else if (ctx->family == SLUICE_AF_INET6) {
		key.family = SLUICE_AF_INET6;
		/* ctx words are read one at a time */
		key.addr[0] = ctx->local_ip6[0];
		key.addr[1] = ctx->local_ip6[1];
		key.addr[2] = ctx->local_ip6[2];
		key.addr[3] = ctx->local_ip6[3];
	} else {
		return SLUICE_SK_PASS;
	}
	key.port = (__u16)ctx->local_port; /* host byte order */
	rule = find_rule(&sluice_in_rules, &key);
	if (!rule)
		return SLUICE_SK_PASS;
	if (proxy_leg(ctx)) {
		count(SLUICE_STAT_IN_PROXY_LEG);
		return SLUICE_SK_PASS;
	}
	/*
	 * A Pod's namespace steers only the Pods' rules (to its sidecar, or to the node proxy's
	 * listener opened in it: SLUICE_RULE_F_POD_NETNS), the node's only the node's own rules.
	 */
	if (pod != (rule->listener_owner != 0 || (rule->flags & SLUICE_RULE_F_POD_NETNS) != 0))
		return SLUICE_SK_PASS;
	listener.owner = rule->listener_owner;
	listener.family = ctx->family;
	listener.port = rule->proxy_port;
	sk = bpf_map_lookup_elem(&sluice_proxy_listeners, &listener);
	/*
	 * A node-mode Pod's port is the node proxy's in the Pod's namespace only: a listener on it in
	 * another one (Envoy followed a stale netns link) is not there for this Pod, and handing it the
	 * connection would leave the client hanging. Counted, then as if no proxy listened.
	 */
	if (sk && (rule->flags & SLUICE_RULE_F_POD_NETNS) && listener_netns_ino(sk) != rule->netns_ino) {
		bpf_sk_release(sk);
		sk = NULL;
		count(SLUICE_STAT_IN_WRONG_NETNS);
	}
	if (sk) {
		err = bpf_sk_assign(ctx, sk, 0);
		bpf_sk_release(sk);
		if (err == 0) {
			count(SLUICE_STAT_IN_ASSIGNED);
			return SLUICE_SK_PASS;
		}
	}
	if (rule->flags & SLUICE_RULE_F_FAIL_OPEN) {
		count(SLUICE_STAT_IN_FAIL_OPEN);
		return SLUICE_SK_PASS;
	}
	count(SLUICE_STAT_IN_REFUSED);
	return SLUICE_SK_DROP;
}

/* The node's own network namespace: the interfaces sluice_inbound_ifaces names are steered. */
SEC("sk_lookup")
int sluice_sk_lookup(struct bpf_sk_lookup *ctx)
{
	return inbound_lookup(ctx, false);
}

/*
 * A Pod's network namespace (attached there by the node agent): every interface but loopback is
 * steered, to a listener its own proxy (the sidecar) opened in that namespace.
 */
SEC("sk_lookup")
int sluice_pod_sk_lookup(struct bpf_sk_lookup *ctx)
{
	return inbound_lookup(ctx, true);
}
