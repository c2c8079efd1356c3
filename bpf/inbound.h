/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inbound helpers for the tc ingress program in redirect.c: a bounds-checked parse of
 * Ethernet + IPv4/IPv6 + TCP, and the hand-over of a new connection to the proxy's listener with
 * bpf_sk_assign. Included once, by redirect.c, after maps.h.
 */
#ifndef SLUICE_INBOUND_H
#define SLUICE_INBOUND_H

/* Not in vmlinux.h (they are #defines in the UAPI headers). */
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IP_FRAG_MASK 0x3FFF /* MF flag + fragment offset */

struct parsed {
	struct bpf_sock_tuple tuple; /* as the packet carries it: network byte order */
	struct sluice_rule_key key;
};

/* Bounds-checked parse of Ethernet + IPv4/IPv6 + TCP. Returns false for anything else. */
static __always_inline bool parse_tcp(struct __sk_buff *skb, struct parsed *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *tcp;

	if ((void *)(eth + 1) > data_end)
		return false;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP_NUM)
			return false;
		if (ip->frag_off & bpf_htons(IP_FRAG_MASK)) /* fragments carry no TCP header */
			return false;
		/* ihl is variable: bound it so the verifier can check the TCP header offset. */
		if (ip->ihl < 5)
			return false;
		tcp = (void *)ip + ip->ihl * 4;
		if ((void *)(tcp + 1) > data_end)
			return false;
		p->tuple.ipv4.saddr = ip->saddr;
		p->tuple.ipv4.daddr = ip->daddr;
		p->tuple.ipv4.sport = tcp->source;
		p->tuple.ipv4.dport = tcp->dest;
		p->key.family = SLUICE_AF_INET;
		p->key.addr[0] = ip->daddr;
		/* read the port here: after the branches merge, the verifier loses tcp's bound */
		p->key.port = bpf_ntohs(tcp->dest);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		/* Extension headers are not walked: TCP must follow the fixed header directly. */
		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_TCP_NUM)
			return false;
		tcp = (void *)(ip6 + 1);
		if ((void *)(tcp + 1) > data_end)
			return false;
		__builtin_memcpy(p->tuple.ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(p->tuple.ipv6.daddr, &ip6->daddr, 16);
		p->tuple.ipv6.sport = tcp->source;
		p->tuple.ipv6.dport = tcp->dest;
		p->key.family = SLUICE_AF_INET6;
		__builtin_memcpy(p->key.addr, &ip6->daddr, 16);
		p->key.port = bpf_ntohs(tcp->dest);
	} else {
		return false;
	}
	return true;
}

/*
 * The tuple length must be a constant the verifier can see at the call: a length kept in a
 * variable (or a stack slot) is "unbounded memory access" to it. So each family gets its own call.
 */
static __always_inline struct bpf_sock *lookup_tcp(struct __sk_buff *skb, struct parsed *p)
{
	if (p->key.family == SLUICE_AF_INET)
		return bpf_skc_lookup_tcp(skb, &p->tuple, sizeof(p->tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	return bpf_skc_lookup_tcp(skb, &p->tuple, sizeof(p->tuple.ipv6), BPF_F_CURRENT_NETNS, 0);
}

/* Hand the packet to the proxy's listener on proxy_port (any local address it is bound to). */
static __always_inline int steer(struct __sk_buff *skb, struct parsed *p, __u16 proxy_port)
{
	struct bpf_sock *sk;
	long err;

	if (p->key.family == SLUICE_AF_INET)
		p->tuple.ipv4.dport = bpf_htons(proxy_port);
	else
		p->tuple.ipv6.dport = bpf_htons(proxy_port);
	sk = lookup_tcp(skb, p);
	if (!sk) {
		count(SLUICE_STAT_IN_NO_LISTENER);
		return SLUICE_TC_OK;
	}
	if (sk->state != TCP_LISTEN_STATE) {
		bpf_sk_release(sk);
		count(SLUICE_STAT_IN_NO_LISTENER);
		return SLUICE_TC_OK;
	}
	err = bpf_sk_assign(skb, sk, 0);
	bpf_sk_release(sk); /* the skb holds its own reference now */
	if (err == 0)
		count(SLUICE_STAT_IN_ASSIGNED);
	return SLUICE_TC_OK;
}

#endif /* SLUICE_INBOUND_H */
