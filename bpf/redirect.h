/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sluice eBPF redirect: every map key/value layout and every constant the kernel programs
 * (redirect.c) and the TypeScript loader (loader/abi.ts) share. This file is the ABI.
 *
 * Rules for changing it:
 *   - every struct is laid out by hand with explicit padding, so no compiler inserts holes;
 *     keys are hashed as raw bytes, so padding must always be written as zero;
 *   - addresses are stored as the kernel hands them over: network byte order, IPv4 in addr[0]
 *     with addr[1..3] zero; ports are stored in host byte order;
 *   - after any change here, change loader/abi.ts to match: test/bpf/abi.test.ts compares both
 *     against the BTF of the compiled object and fails when a field moves.
 *
 * Included after vmlinux.h (which provides __u8 .. __u64).
 */
#ifndef SLUICE_REDIRECT_H
#define SLUICE_REDIRECT_H

/* Capacity of the maps. Flow maps are LRU: the oldest entries go first under pressure. */
#define SLUICE_MAX_RULES 16384
#define SLUICE_MAX_FLOWS 65536
#define SLUICE_MAX_PROXY_CGROUPS 64
#define SLUICE_MAX_WORKLOADS 4096
#define SLUICE_MAX_PROXY_LISTENERS 16384 /* the node's proxies' and every sidecar's */
#define SLUICE_MAX_IFACES 64
#define SLUICE_MAX_SIDECAR_PORTS 64
#define SLUICE_MAX_PROXY_CONNS 65536
/* How many cgroup levels above a process are searched for its workload cgroup. */
#define SLUICE_MAX_CGROUP_DEPTH 16

/* Address families (linux/socket.h); vmlinux.h carries no #defines. */
#define SLUICE_AF_INET 2
#define SLUICE_AF_INET6 10

/* getsockopt levels and the option Envoy's original_dst filter asks for. */
#define SLUICE_SOL_IP 0
#define SLUICE_SOL_IPV6 41
#define SLUICE_SO_ORIGINAL_DST 80       /* linux/netfilter_ipv4.h */
#define SLUICE_IP6T_SO_ORIGINAL_DST 80  /* linux/netfilter_ipv6/ip6_tables.h */

/* Return codes the kernel defines for each program type, named for what they mean here. */
#define SLUICE_CG_ALLOW 1  /* cgroup sock_addr / sockopt / sockops: let the call proceed */
#define SLUICE_CG_REJECT 0 /* cgroup sock_addr: the call fails with EPERM */
#define SLUICE_SK_PASS 1   /* sk_msg, sk_lookup: SK_PASS */
#define SLUICE_SK_DROP 0   /* sk_lookup: SK_DROP, the connection is refused (the kernel answers RST) */

/* sluice_config.flags */
#define SLUICE_CFG_F_SOCKMAP 0x1 /* put client<->proxy sockets in the sockhash (sk_msg fast path) */

/* sluice_rule_value.flags */
#define SLUICE_RULE_F_BIND 0x1      /* outbound: bind the connection's source to bind_addr first */
#define SLUICE_RULE_F_FAIL_OPEN 0x2 /* inbound: no proxy listening means delivery to the workload */
/*
 * inbound: a node-mode Pod's rule, steered by sluice_pod_sk_lookup in the Pod's network namespace
 * to the node proxy's listener there (owner 0, opened in that namespace by Envoy); the node's own
 * sk_lookup never acts on it, as it never acts on a sidecar's (listener_owner != 0). The rule's
 * netns_ino names that namespace: a listener on the port opened in any other one (Envoy following
 * a stale netns link) is not the Pod's proxy, and the connection is treated as if none listened.
 */
#define SLUICE_RULE_F_POD_NETNS 0x4

/*
 * SO_MARK on the proxy's inbound leg (Envoy's connection from its inbound listener to the
 * workload it protects, set by the compiler on that cluster): only those connections are the
 * proxy's own to sk_lookup. Its outbound leg (a workload calling another workload of this node
 * through its egress chain) is steered into the inbound chain like any other client. An enum, so
 * the value is in BTF and test/bpf/abi.test.ts holds the compiler's constant to it.
 */
enum sluice_mark {
	SLUICE_MARK_INBOUND_LEG = 0x5c1e0000,
};

/* Keys of sluice_inbound_ifaces besides interface indices. */
#define SLUICE_IFACE_ANY 0      /* every interface except loopback */
#define SLUICE_LOOPBACK_IFINDEX 1

/* Indices of sluice_stats, a plain array of __u64 counters. */
enum sluice_stat {
	SLUICE_STAT_OUT_REDIRECTED = 0,    /* connect() rewritten to the proxy */
	SLUICE_STAT_OUT_SKIPPED_PROXY = 1, /* connect() by the proxy itself, left alone (no loop) */
	SLUICE_STAT_FLOW_RECORDED = 2,     /* sockops copied an original destination to the flow map */
	SLUICE_STAT_SOCKOPT_ANSWERED = 3,  /* getsockopt(SO_ORIGINAL_DST) answered from the flow map */
	SLUICE_STAT_IN_ASSIGNED = 4,       /* sk_lookup handed a new inbound connection to the proxy */
	SLUICE_STAT_IN_REFUSED = 5,        /* new inbound connection to a protected port, no proxy: refused (RST) */
	SLUICE_STAT_SOCKMAP_ADDED = 6,     /* a socket entered the sockhash */
	SLUICE_STAT_OUT_BIND_FAILED = 7,   /* not bound to the workload's address (and could not be): connect() refused */
	SLUICE_STAT_IN_FAIL_OPEN = 8,      /* no proxy, but the rule fails open: delivered to the workload */
	SLUICE_STAT_LISTENER_ADDED = 9,    /* a listening socket was registered for sk_lookup (a proxy's, or any below the attach cgroup) */
	SLUICE_STAT_IN_PROXY_LEG = 10,     /* the proxy's own connection to a workload: not steered */
	SLUICE_STAT_IN_WRONG_NETNS = 11,   /* a node-mode Pod's listener is in another netns: not used (then refused or fail-open) */
	SLUICE_STAT_MAX = 12,
};

/*
 * Key of sluice_out_rules and sluice_in_rules: which destination is steered to the proxy.
 * An all-zero addr means "any address on this port"; an exact address wins over it.
 * Outbound rules belong to one workload, named by its cgroup id (the cgroup v2 directory's inode):
 * a connect() uses the rules of the deepest workload cgroup above the caller. Inbound rules have
 * cgroup 0.
 */
struct sluice_rule_key {
	__u32 addr[4]; /* destination address, network byte order */
	__u64 cgroup;  /* outbound: the workload's cgroup id; inbound: 0 */
	__u16 port;    /* destination port, host byte order */
	__u8 family;   /* SLUICE_AF_INET or SLUICE_AF_INET6 */
	__u8 pad[5];   /* zero */
};

/* Value of the rule maps: where the proxy listens, and how the connection is identified. */
struct sluice_rule_value {
	__u32 proxy_addr[4]; /* outbound: the address connect() is rewritten to; inbound: zero */
	__u32 bind_addr[4];  /* outbound with SLUICE_RULE_F_BIND: the workload's own address */
	__u16 proxy_port;    /* the proxy listener's port, host byte order */
	__u16 flags;         /* SLUICE_RULE_F_* */
	/*
	 * With SLUICE_RULE_F_POD_NETNS: the Pod's network namespace inode (ns.inum, st_ino of
	 * /proc/PID/ns/net), which the listener's namespace must be; otherwise zero. (Was a zero pad:
	 * the struct keeps its size, so pinned maps survive an upgrade.)
	 */
	__u32 netns_ino;
	__u64 listener_owner; /* inbound: whose listener (sluice_listener_key.owner); outbound: zero */
};

/* The destination a workload asked for before the rewrite (cookie map and flow map values). */
struct sluice_orig_dst {
	__u32 addr[4]; /* network byte order */
	__u16 port;    /* host byte order */
	__u8 family;   /* SLUICE_AF_INET or SLUICE_AF_INET6 */
	__u8 pad;      /* zero */
};

/*
 * Key of sluice_flows: one redirected connection, as both ends see it. sockops writes it from
 * the client's side (local = client); getsockopt reads it from the proxy's accepted socket
 * (remote = client). IPv4-mapped IPv6 addresses are folded to IPv4 so both sides agree.
 */
struct sluice_flow_key {
	__u32 client_addr[4];
	__u32 proxy_addr[4];
	__u16 client_port; /* host byte order */
	__u16 proxy_port;  /* host byte order */
	__u8 family;
	__u8 pad[3];       /* zero */
};

/* Key of sluice_sockhash and sluice_proxy_conns: a socket by its own view of the connection. */
struct sluice_sock_key {
	__u32 local_addr[4];
	__u32 remote_addr[4];
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
	__u8 family;
	__u8 pad[3];       /* zero */
};

/*
 * Key of sluice_proxy_listeners: a listening socket, by whose it is, family and port. `owner` is
 * 0 for the node's own proxies (the agent Pod's containers, in the node's network namespace:
 * registered by sluice_proxy_sockops on their cgroups), and the cgroup id of the listen() caller
 * for a socket below the attach cgroup listening on a sidecar inbound port (sluice_sidecar_ports;
 * registered by sluice_sockops): a sidecar container's id is what its Pod's inbound rules name
 * (sluice_rule_value.listener_owner), other workloads' ids are never named. So the node proxy's
 * listeners and every sidecar's never collide, no workload can stand in for a proxy, and a
 * workload cannot fill the map (one key per cgroup, family and sidecar port).
 * (bpf_get_netns_cookie would name the namespace itself, but kernel 6.18 refuses it in sk_lookup:
 * "program of this type cannot use helper bpf_get_netns_cookie#122".)
 */
struct sluice_listener_key {
	__u64 owner;  /* 0: the node's proxies; else the listening process's cgroup id */
	__u16 port;   /* host byte order */
	__u8 family;  /* SLUICE_AF_INET or SLUICE_AF_INET6 */
	__u8 pad[5];  /* zero */
};

/* Load-time configuration: one `const volatile` global, written by the loader before load. */
struct sluice_config {
	__u32 proxy_mark; /* sockets carrying this SO_MARK are the proxy's: never redirected; 0 = off */
	__u32 flags;      /* SLUICE_CFG_F_* */
};

#endif /* SLUICE_REDIRECT_H */
