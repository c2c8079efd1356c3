/**
 * Lowering: validated policies + inventory → the IR. Chains are placed on the proxy that fronts
 * each workload: HTTP/gRPC on its Envoy node (or, for a proxyless gRPC server, in the Listener
 * gRPC asks for), Kafka on its Kafka enforcer. Redirect entries are derived from the same chains.
 */
import type { Diagnostic } from '../diagnostics.js';
import { hostCidr, type Cidr } from '../model/ip.js';
import type { Inventory, Policy, ProxyNode } from '../model/types.js';
import type { EnvoyNode, HttpChain, Ir, KafkaChain, KafkaNode, ProxylessServer, Service } from '../ir/types.js';
import { redirectKey, type RedirectEntry } from '../ir/redirect.js';
import { collectContributions, type Contribution } from './contributions.js';
import { chainPolicies, httpAuthz, kafkaAuthz } from './authz.js';

export interface LowerResult {
  readonly ir: Ir;
  readonly diagnostics: readonly Diagnostic[];
}

interface MutableEnvoyNode {
  node: ProxyNode;
  inbound: HttpChain[];
  outbound: HttpChain[];
}

export function lower(policies: readonly Policy[], inventory: Inventory): LowerResult {
  const { byChain, diagnostics: found } = collectContributions(policies, inventory);
  const diagnostics: Diagnostic[] = [...found];
  const policyByKey = new Map(policies.map((p) => [p.key, p]));
  const report = (severity: Diagnostic['severity'], contributions: readonly Contribution[], code: string, message: string) => {
    for (const key of new Set(contributions.map((c) => c.policy))) {
      const p = policyByKey.get(key);
      diagnostics.push({ severity, code, ...(p ? { file: p.source.file, document: p.source.document } : {}), path: 'spec', message });
    }
  };

  const envoy = new Map<string, MutableEnvoyNode>();
  const kafka = new Map<string, { node: ProxyNode; chains: KafkaChain[] }>();
  for (const proxy of [...inventory.proxies.values()].sort((a, b) => a.node.localeCompare(b.node))) {
    if (proxy.kind === 'envoy') envoy.set(proxy.node, { node: proxy, inbound: [], outbound: [] });
    else kafka.set(proxy.node, { node: proxy, chains: [] });
  }
  const proxyless: ProxylessServer[] = [];

  for (const { key, contributions } of byChain.values()) {
    const { direction, workload, port } = key;
    const protocols = new Set(contributions.map((c) => c.protocol));
    let use = contributions;
    if (protocols.size > 1) {
      report('error', contributions, 'port.protocol-conflict', `${workload.key} port ${port} (${direction}) has Kafka rules in one policy and HTTP/gRPC rules in another; a port carries one L7 protocol. The Kafka rules are ignored.`);
      use = contributions.filter((c) => c.protocol === 'http');
    }
    const name = `${direction}|${port}|${workload.key}`;
    const addresses = workload.addresses.map((a) => hostCidr(a)).filter((c): c is Cidr => typeof c !== 'string');
    const policiesHere = chainPolicies(use);
    if (use[0]?.protocol === 'kafka') {
      const kafkaNode = workload.proxy.kind === 'envoy' ? workload.proxy.kafkaNode : undefined;
      const target = kafkaNode ? kafka.get(kafkaNode) : undefined;
      if (!target) {
        report('error', use, 'kafka.no-enforcer', `${workload.key} has Kafka rules on port ${port} but no Kafka enforcer: set proxy.kafka on the workload in the inventory`);
        continue;
      }
      target.chains.push({ name, direction, port, workload: workload.key, addresses: workload.addresses, policies: policiesHere, ...kafkaAuthz(use) });
      continue;
    }
    const authz = httpAuthz(use);
    if (workload.proxy.kind === 'grpc-proxyless') {
      if (direction === 'outbound') {
        report('warning', use, 'proxyless.egress', `${workload.key} is a proxyless gRPC workload: gRPC enforces policies on the server side only, so egress rules for it are not enforced`);
        continue;
      }
      proxyless.push({ workload: workload.key, addresses: workload.addresses, port, policies: policiesHere, authz });
      continue;
    }
    const node = envoy.get(workload.proxy.node);
    if (!node) throw new Error(`invariant: Envoy node ${workload.proxy.node} of ${workload.key} is missing from the inventory's proxies`);
    const chain: HttpChain = {
      name,
      direction,
      port,
      destinations: direction === 'inbound' ? addresses : [],
      sources: direction === 'outbound' ? addresses : [],
      workload: workload.key,
      policies: policiesHere,
      authz,
    };
    (direction === 'inbound' ? node.inbound : node.outbound).push(chain);
  }

  const envoyNodes: EnvoyNode[] = [...envoy.values()].map((n) => ({
    node: n.node.node,
    inboundPort: n.node.inboundPort,
    outboundPort: n.node.outboundPort,
    inbound: n.inbound,
    outbound: n.outbound,
  }));
  const kafkaNodes: KafkaNode[] = [...kafka.values()].map((k) => ({ node: k.node.node, listenPort: k.node.listenPort, chains: k.chains }));
  return {
    ir: { envoyNodes, proxyless, services: services(inventory), kafkaNodes, redirects: redirects(envoyNodes, kafkaNodes) },
    diagnostics,
  };
}

function services(inventory: Inventory): Service[] {
  return inventory.workloads
    .flatMap((w) => w.ports.map((p) => ({ target: `${w.name}.${w.namespace}:${p.port}`, workload: w.key, port: p.port, endpoints: w.addresses.map((address) => ({ address, port: p.port })) })))
    .sort((a, b) => a.target.localeCompare(b.target));
}

function redirects(envoyNodes: readonly EnvoyNode[], kafkaNodes: readonly KafkaNode[]): RedirectEntry[] {
  const entries = new Map<string, RedirectEntry>();
  const add = (e: RedirectEntry) => entries.set(redirectKey(e), e);
  for (const n of envoyNodes) {
    for (const c of n.inbound) for (const d of c.destinations) add({ node: n.node, direction: 'inbound', address: d.address, port: c.port, proxyPort: n.inboundPort });
    for (const c of n.outbound) add({ node: n.node, direction: 'outbound', port: c.port, proxyPort: n.outboundPort });
  }
  for (const k of kafkaNodes) {
    for (const c of k.chains) {
      if (c.direction === 'inbound') for (const address of c.addresses) add({ node: k.node, direction: 'inbound', address, port: c.port, proxyPort: k.listenPort });
      else add({ node: k.node, direction: 'outbound', port: c.port, proxyPort: k.listenPort });
    }
  }
  return [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
}
