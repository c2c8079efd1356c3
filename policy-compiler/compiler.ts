/**
 * The incremental compiler. It produces exactly what a fresh compile of the same input would
 * (a test holds it to that), but remembers its intermediate results by identity: a policy object
 * that did not change keeps its contributions, a chain whose contributions did not change keeps
 * its IR and Envoy JSON (the same objects, so later stages can skip them too), and a node whose
 * chains did not change keeps its resources. Changing the inventory starts from scratch.
 */
import type { Diagnostic } from './diagnostics.js';
import type { Inventory, Policy } from './model/types.js';
import type { EnvoyNode, HttpChain, Ir, KafkaChain, KafkaNode, ProxylessServer } from './ir/types.js';
import { buildChain, type ChainResult } from './lower/chain.js';
import { chainId, policyContributions, type ChainKey, type Contribution, type PolicyContributions } from './lower/contributions.js';
import { redirectEntries } from './lower/redirects.js';
import { envoyNodeResources, translateChain, type TranslatedChain } from './envoy/envoy-node.js';
import { serviceResources } from './envoy/mesh-services.js';
import type { EnvoyResource } from './envoy/resource.js';
import { kafkaPolicyResource } from './kafka/kafka-policy.js';
import type { Service } from './ir/types.js';

interface ChainMemo {
  readonly contributions: readonly Contribution[];
  readonly result: ChainResult;
  readonly diagnostics: readonly Diagnostic[];
  readonly translated?: TranslatedChain;
  readonly kafkaResource?: EnvoyResource;
}

interface NodeMemo {
  readonly parts: readonly object[];
  readonly resources: readonly EnvoyResource[];
}

export interface LoweredOutput {
  readonly ir: Ir;
  readonly diagnostics: readonly Diagnostic[];
  /** Per proxy node (Envoy and Kafka enforcer): its resources. */
  readonly nodeResources: ReadonlyMap<string, readonly EnvoyResource[]>;
  readonly shared: readonly EnvoyResource[];
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class IncrementalLowering {
  private inventory: Inventory | undefined;
  private perPolicy = new WeakMap<Policy, PolicyContributions>();
  private chains = new Map<string, ChainMemo>();
  private nodes = new Map<string, NodeMemo>();
  private shared: { services: Service[]; resources: EnvoyResource[] } | undefined;

  run(policies: readonly Policy[], inventory: Inventory): LoweredOutput {
    if (inventory !== this.inventory) {
      this.inventory = inventory;
      this.perPolicy = new WeakMap();
      this.chains = new Map();
      this.nodes = new Map();
      this.shared = undefined;
    }
    const diagnostics: Diagnostic[] = [];
    const grouped = new Map<string, { key: ChainKey; contributions: Contribution[] }>();
    for (const policy of policies) {
      let lowered = this.perPolicy.get(policy);
      if (!lowered) this.perPolicy.set(policy, (lowered = policyContributions(policy, inventory)));
      diagnostics.push(...lowered.diagnostics);
      for (const { key, contribution } of lowered.entries) {
        const id = chainId(key);
        let group = grouped.get(id);
        if (!group) grouped.set(id, (group = { key, contributions: [] }));
        group.contributions.push(contribution);
      }
    }

    const policyByKey = new Map(policies.map((p) => [p.key, p]));
    const kafkaNodeIds = new Set([...inventory.proxies.values()].filter((p) => p.kind === 'kafka').map((p) => p.node));
    const envoyChains = new Map<string, { inbound: TranslatedChain[]; outbound: TranslatedChain[] }>();
    const kafkaChains = new Map<string, { chain: KafkaChain; resource: EnvoyResource }[]>();
    const proxyless: ProxylessServer[] = [];
    const chains = new Map<string, ChainMemo>();
    for (const id of [...grouped.keys()].sort()) {
      const group = grouped.get(id);
      if (!group) continue;
      const previous = this.chains.get(id);
      const memo = previous && sameList(previous.contributions, group.contributions) ? previous : this.buildMemo(group.key, group.contributions, policyByKey, kafkaNodeIds);
      chains.set(id, memo);
      diagnostics.push(...memo.diagnostics);
      const r = memo.result;
      if (r.kind === 'envoy' && memo.translated) {
        let lists = envoyChains.get(r.node);
        if (!lists) envoyChains.set(r.node, (lists = { inbound: [], outbound: [] }));
        (r.chain.direction === 'inbound' ? lists.inbound : lists.outbound).push(memo.translated);
      } else if (r.kind === 'kafka' && memo.kafkaResource) {
        let list = kafkaChains.get(r.node);
        if (!list) kafkaChains.set(r.node, (list = []));
        list.push({ chain: r.chain, resource: memo.kafkaResource });
      } else if (r.kind === 'proxyless') {
        proxyless.push(r.server);
      }
    }
    this.chains = chains;

    const envoyNodes: EnvoyNode[] = [];
    const kafkaNodes: KafkaNode[] = [];
    const nodeResources = new Map<string, readonly EnvoyResource[]>();
    const nodes = new Map<string, NodeMemo>();
    const remember = (node: string, parts: readonly object[], build: () => readonly EnvoyResource[]) => {
      const previous = this.nodes.get(node);
      const memo = previous && sameList(previous.parts, parts) ? previous : { parts, resources: build() };
      nodes.set(node, memo);
      nodeResources.set(node, memo.resources);
    };
    for (const proxy of [...inventory.proxies.values()].sort((a, b) => a.node.localeCompare(b.node))) {
      if (proxy.kind === 'kafka') {
        const list = kafkaChains.get(proxy.node) ?? [];
        kafkaNodes.push({ node: proxy.node, listenPort: proxy.listenPort, failOpen: proxy.failOpen, chains: list.map((c) => c.chain) });
        remember(proxy.node, list.map((c) => c.resource), () => list.map((c) => c.resource));
        continue;
      }
      const lists = envoyChains.get(proxy.node) ?? { inbound: [], outbound: [] };
      const ipv6 = inventory.workloads.some((w) => w.proxy.kind === 'envoy' && w.proxy.node === proxy.node && w.addresses.some((a) => a.includes(':')));
      remember(proxy.node, [...lists.inbound, ...lists.outbound], () => envoyNodeResources({ ...proxy, ipv6 }, lists.inbound, lists.outbound));
      const ir = (list: readonly TranslatedChain[]): HttpChain[] => list.map((c) => c.chain);
      envoyNodes.push({ node: proxy.node, inboundPort: proxy.inboundPort, outboundPort: proxy.outboundPort, failOpen: proxy.failOpen, inbound: ir(lists.inbound), outbound: ir(lists.outbound) });
    }
    this.nodes = nodes;

    this.shared ??= sharedResources(inventory);
    const redirects = redirectEntries(envoyNodes, kafkaNodes);
    for (const a of redirects.ambiguous) {
      for (const key of a.policies) {
        const p = policyByKey.get(key);
        diagnostics.push({
          severity: 'warning',
          code: 'egress.ambiguous-identity',
          ...(p ? { file: p.source.file, document: p.source.document } : {}),
          path: 'spec.egress',
          message: `${a.workloads.join(' and ')} have egress rules on port ${a.port} through node ${a.node} and no cgroup in the inventory, so their connections cannot be told apart: the proxy refuses them all (fail closed) until workloads[].cgroup names each one's cgroup`,
        });
      }
    }
    return {
      ir: { envoyNodes, proxyless, services: this.shared.services, kafkaNodes, redirects: redirects.entries },
      diagnostics,
      nodeResources,
      shared: this.shared.resources,
    };
  }

  private buildMemo(key: ChainKey, contributions: readonly Contribution[], policyByKey: ReadonlyMap<string, Policy>, kafkaNodes: ReadonlySet<string>): ChainMemo {
    const { result, diagnostics } = buildChain(key, contributions, policyByKey, kafkaNodes);
    return {
      contributions,
      result,
      diagnostics,
      ...(result.kind === 'envoy' ? { translated: translateChain(result.chain) } : {}),
      ...(result.kind === 'kafka' ? { kafkaResource: kafkaPolicyResource(result.chain) } : {}),
    };
  }
}

function sharedResources(inventory: Inventory): { services: Service[]; resources: EnvoyResource[] } {
  const services = inventory.workloads
    .flatMap((w) => w.ports.map((p) => ({ target: `${w.name}.${w.namespace}:${p.port}`, workload: w.key, port: p.port, endpoints: w.addresses.map((address) => ({ address, port: p.port })) })))
    .sort((a, b) => a.target.localeCompare(b.target));
  return { services, resources: services.flatMap(serviceResources) };
}
