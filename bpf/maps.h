/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The maps of redirect.c (BTF-defined, pinned by name under the loader's pin root) and the small
 * helpers every program uses on them. Included once, by redirect.c, after vmlinux.h and
 * redirect.h; not a separate compilation unit.
 */
#ifndef SLUICE_MAPS_H
#define SLUICE_MAPS_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_RULES);
	__type(key, struct sluice_rule_key);
	__type(value, struct sluice_rule_value);
} sluice_out_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_RULES);
	__type(key, struct sluice_rule_key);
	__type(value, struct sluice_rule_value);
} sluice_in_rules SEC(".maps");

/* cgroup ids whose processes are the proxy: their connect() is never rewritten. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_PROXY_CGROUPS);
	__type(key, __u64);
	__type(value, __u32);
} sluice_proxy_cgroups SEC(".maps");

/* cgroup ids of the workloads that have outbound rules: which workload a connect() is from. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_WORKLOADS);
	__type(key, __u64);
	__type(value, __u32); /* zero */
} sluice_workloads SEC(".maps");

/* The proxy's listening sockets, by (netns, family, port): where sk_lookup steers. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, SLUICE_MAX_PROXY_LISTENERS);
	__type(key, struct sluice_listener_key);
	__type(value, __u64);
} sluice_proxy_listeners SEC(".maps");

/*
 * Connections the proxy opens on its inbound leg (to the workload it protects), by the proxy
 * socket's own view, recorded just before their SYN leaves: sk_lookup must never steer them back.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SLUICE_MAX_PROXY_CONNS);
	__type(key, struct sluice_sock_key);
	__type(value, __u32); /* zero */
} sluice_proxy_conns SEC(".maps");

/* Interfaces whose inbound connections are steered (SLUICE_IFACE_ANY: all but loopback). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32); /* zero */
} sluice_inbound_ifaces SEC(".maps");

/*
 * The ports sidecars' inbound listeners listen on (the node agent writes them): a socket below the
 * attach cgroup that listens on one is registered under its cgroup id. Known before any sidecar
 * is (the agent's --sidecar-inbound-port), so a sidecar that listens before the agent hears of its
 * Pod is registered anyway.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_SIDECAR_PORTS);
	__type(key, __u32); /* port, host byte order */
	__type(value, __u32); /* zero */
} sluice_sidecar_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SLUICE_MAX_FLOWS);
	__type(key, __u64); /* socket cookie */
	__type(value, struct sluice_orig_dst);
} sluice_cookies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SLUICE_MAX_FLOWS);
	__type(key, struct sluice_flow_key);
	__type(value, struct sluice_orig_dst);
} sluice_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, SLUICE_MAX_FLOWS);
	__type(key, struct sluice_sock_key);
	__type(value, __u64);
} sluice_sockhash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sluice_stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&sluice_stats, &stat);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* ::ffff:a.b.c.d, as a dual-stack socket shows an IPv4 peer. */
static __always_inline bool is_v4_mapped(const __u32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0x0000ffff);
}

/* Exact (address, port) first, then the port wildcard (the cgroup stays as it is). */
static __always_inline struct sluice_rule_value *
find_rule(void *map, struct sluice_rule_key *key)
{
	struct sluice_rule_value *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	key->addr[0] = key->addr[1] = key->addr[2] = key->addr[3] = 0;
	return bpf_map_lookup_elem(map, key);
}

#endif /* SLUICE_MAPS_H */
