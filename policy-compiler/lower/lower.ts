/**
 * Stage 1, lowering: validated policies + inventory → the IR and the diagnostics found on the way.
 * The IR holds every fact translation needs (stage 2 reads nothing else).
 *
 * `IncrementalLowering` remembers its results by identity: a policy object that did not change
 * keeps its contributions, a chain whose contributions did not change keeps its IR object, and a
 * proxy node whose chains did not change keeps its IR object too, so translation (memoised by
 * identity as well) skips it. Changing the inventory starts from scratch. A test holds it equal to
 * a fresh `lower` after every step of random edits.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Inventory, Policy, ProxyNode, Workload } from '../model/types.js';
import type { SecretCatalog } from '../model/secrets.js';
import type { EnvoyNode, HttpChain, Ir, IrSecret, KafkaChain, KafkaNode, ProxylessServer, Service } from '../ir/types.js';
import { familyOf } from '../../ip/index.js';
import { buildChain, type ChainResult } from './chain.js';
import { policyContributions, type Contribution, type PolicyContributions } from './contributions.js';
import { ChainGrouping } from './grouping.js';
import { placementOf } from './placement.js';
import { podInbounds } from './pod-inbound.js';
import { redirectEntries } from './redirects.js';
import { inventoryServices } from './services.js';
import { overlappingServerNames } from './server-names.js';
import { tlsDependencies } from './tls.js';

export interface Lowered {
  readonly ir: Ir;
  readonly diagnostics: readonly Diagnostic[];
}

interface ChainMemo {
  readonly contributions: readonly Contribution[];
  /** What the chain read of the secrets in force (tls.ts): a chain is rebuilt when that changed. */
  readonly secretDeps: string;
  readonly result: ChainResult;
  readonly diagnostics: readonly Diagnostic[];
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || a.length === b.length && a.every((x, i) => x === b[i]);
}

export class IncrementalLowering {
  private inventory: Inventory | undefined;
  private perPolicy = new WeakMap<Policy, PolicyContributions>();
  private chains = new Map<string, ChainMemo>();
  private envoyNodes = new Map<string, EnvoyNode>();
  private kafkaNodes = new Map<string, KafkaNode>();
  private services: readonly Service[] = [];
  private grouping = new ChainGrouping();
  private workloadIndex: Map<string, Workload> | undefined;

  lower(policies: readonly Policy[], inventory: Inventory, secrets?: SecretCatalog): Lowered {
    if (inventory !== this.inventory) {
      this.inventory = inventory;
      this.perPolicy = new WeakMap();
      this.chains = new Map();
      this.envoyNodes = new Map();
      this.kafkaNodes = new Map();
      this.services = inventoryServices(inventory);
      this.workloadIndex = undefined;
      this.grouping = new ChainGrouping();
    }
    const diagnostics: Diagnostic[] = [];
    const lowered = policies.map((policy) => {
      let l = this.perPolicy.get(policy);
      if (!l) this.perPolicy.set(policy, (l = policyContributions(policy, inventory)));
      diagnostics.push(...l.diagnostics);
      return l;
    });
    const { groups, order } = this.grouping.group(policies, lowered);

    const policyByKey = new Map(policies.map((p) => [p.key, p]));
    const overlaps = overlappingServerNames(groups, policyByKey);
    diagnostics.push(...overlaps.diagnostics);
    const kafkaNodeIds = new Set([...inventory.proxies.values()].filter((p) => p.kind === 'kafka').map((p) => p.node));
    const envoyChains = new Map<string, { inbound: HttpChain[]; outbound: HttpChain[] }>();
    const kafkaChains = new Map<string, KafkaChain[]>();
    const proxyless: ProxylessServer[] = [];
    const chains = new Map<string, ChainMemo>();
    const envoySecrets = new Map<string, Map<string, IrSecret>>();
    for (const id of order) {
      const group = groups.get(id);
      if (!group || overlaps.dropped.has(id)) continue;
      const previous = this.chains.get(id);
      const tls = group.contributions[0]?.tls;
      const secretDeps = tls ? tlsDependencies(tls, secrets) : '';
      const memo = previous && sameList(previous.contributions, group.contributions) && previous.secretDeps === secretDeps
        ? previous
        : { contributions: group.contributions, secretDeps, ...buildChain(group.key, group.contributions, policyByKey, kafkaNodeIds, secrets) };
      chains.set(id, memo);
      diagnostics.push(...memo.diagnostics);
      const r = memo.result;
      if (r.kind === 'envoy') {
        let lists = envoyChains.get(r.node);
        if (!lists) envoyChains.set(r.node, (lists = { inbound: [], outbound: [] }));
        (r.chain.direction === 'inbound' ? lists.inbound : lists.outbound).push(r.chain);
        let named = envoySecrets.get(r.node);
        if (!named) envoySecrets.set(r.node, (named = new Map()));
        for (const secret of r.secrets) named.set(secret.name, secret);
      } else if (r.kind === 'kafka') {
        let list = kafkaChains.get(r.node);
        if (!list) kafkaChains.set(r.node, (list = []));
        list.push(r.chain);
      } else if (r.kind === 'proxyless') {
        proxyless.push(r.server);
      }
    }
    this.chains = chains;

    const envoyNodes: EnvoyNode[] = [];
    const kafkaNodes: KafkaNode[] = [];
    const nextEnvoy = new Map<string, EnvoyNode>();
    const nextKafka = new Map<string, KafkaNode>();
    for (const proxy of [...inventory.proxies.values()].sort((a, b) => a.node.localeCompare(b.node))) {
      if (proxy.kind === 'kafka') {
        const node = this.kafkaNode(proxy, kafkaChains.get(proxy.node) ?? []);
        nextKafka.set(proxy.node, node);
        kafkaNodes.push(node);
        continue;
      }
      const named = [...(envoySecrets.get(proxy.node)?.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name));
      const node = this.envoyNode(proxy, inventory, envoyChains.get(proxy.node) ?? { inbound: [], outbound: [] }, named);
      nextEnvoy.set(proxy.node, node);
      envoyNodes.push(node);
    }
    this.envoyNodes = nextEnvoy;
    this.kafkaNodes = nextKafka;

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
    const placement = placementOf(inventory);
    return { ir: { envoyNodes, proxyless, services: this.services, kafkaNodes, redirects: redirects.entries, ...(placement ? { placement } : {}) }, diagnostics };
  }

  /** The node's IR: the previous object when its chains are the same objects (the inventory, and so the node's facts, did not change). */
  private envoyNode(proxy: ProxyNode, inventory: Inventory, lists: { inbound: HttpChain[]; outbound: HttpChain[] }, secrets: readonly IrSecret[]): EnvoyNode {
    const previous = this.envoyNodes.get(proxy.node);
    if (previous && sameList(previous.inbound, lists.inbound) && sameList(previous.outbound, lists.outbound) && sameSecrets(previous.secrets ?? [], secrets)) return previous;
    const ipv6 = inventory.workloads.some((w) => w.proxy.kind === 'envoy' && w.proxy.node === proxy.node && w.addresses.some((a) => familyOf(a) === 6));
    const pods = podInbounds(proxy, lists.inbound, (key) => this.workloadOf(inventory, key));
    return { node: proxy.node, inboundPort: proxy.inboundPort, outboundPort: proxy.outboundPort, failOpen: proxy.failOpen, accessLog: proxy.accessLog, ipv6, inbound: lists.inbound, outbound: lists.outbound, ...(secrets.length > 0 ? { secrets } : {}), ...(pods.length > 0 ? { pods } : {}) };
  }

  /** The inventory's workload by key (indexed once per inventory, when a node proxy first asks). */
  private workloadOf(inventory: Inventory, key: string): Workload | undefined {
    this.workloadIndex ??= new Map(inventory.workloads.map((w) => [w.key, w]));
    return this.workloadIndex.get(key);
  }

  private kafkaNode(proxy: ProxyNode, chains: KafkaChain[]): KafkaNode {
    const previous = this.kafkaNodes.get(proxy.node);
    if (previous && sameList(previous.chains, chains)) return previous;
    return { node: proxy.node, listenPort: proxy.listenPort, failOpen: proxy.failOpen, chains };
  }
}

/** Two lists of secrets with the same names and values. */
function sameSecrets(a: readonly IrSecret[], b: readonly IrSecret[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i] || JSON.stringify(x) === JSON.stringify(b[i]));
}

/** Lowers from scratch. */
export function lower(policies: readonly Policy[], inventory: Inventory, secrets?: SecretCatalog): Lowered {
  return new IncrementalLowering().lower(policies, inventory, secrets);
}
