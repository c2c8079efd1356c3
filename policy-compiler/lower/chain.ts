/**
 * Step two of lowering: the contributions to one workload port → the chain that enforces them,
 * placed on the proxy that fronts the workload: HTTP/gRPC on its Envoy node (or in the Listener a
 * proxyless gRPC server asks for), Kafka on its Kafka enforcer.
 */
import type { Diagnostic } from '../diagnostics.js';
import { hostCidr, type Cidr } from '../../ip/index.js';
import type { Policy } from '../model/types.js';
import type { SecretCatalog } from '../model/secrets.js';
import type { HttpChain, IrSecret, KafkaChain, ProxylessServer } from '../ir/types.js';
import { chainName } from '../names.js';
import { atPortRules } from './port-rule-diagnostics.js';
import { chainPolicies, httpAuthz, kafkaAuthz } from './authz.js';
import type { ChainKey, Contribution } from './contributions.js';
import { resolveTls } from './tls.js';

export type ChainResult =
  | { readonly kind: 'envoy'; readonly node: string; readonly chain: HttpChain; readonly secrets: readonly IrSecret[] }
  | { readonly kind: 'proxyless'; readonly server: ProxylessServer }
  | { readonly kind: 'kafka'; readonly node: string; readonly chain: KafkaChain }
  | { readonly kind: 'none' };

export function buildChain(
  key: ChainKey,
  contributions: readonly Contribution[],
  policyByKey: ReadonlyMap<string, Policy>,
  kafkaNodes: ReadonlySet<string>,
  secrets?: SecretCatalog,
): { result: ChainResult; diagnostics: Diagnostic[] } {
  const { direction, workload, port, serverNames } = key;
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Diagnostic['severity'], from: readonly Contribution[], code: string, message: string) => {
    for (const policyKey of new Set(from.map((c) => c.policy))) {
      const p = policyByKey.get(policyKey);
      diagnostics.push({ severity, code, ...(p ? { file: p.source.file, document: p.source.document } : {}), path: 'spec', message });
    }
  };
  let use = contributions;
  if (new Set(contributions.map((c) => c.protocol)).size > 1) {
    report('error', contributions, 'port.protocol-conflict', `${workload.key} port ${port} (${direction}) has Kafka rules in one policy and HTTP/gRPC rules in another; a port carries one L7 protocol. The Kafka rules are ignored.`);
    use = contributions.filter((c) => c.protocol === 'http');
  }
  // One port (and SNI allow list) has one TLS configuration: port rules that disagree are left out.
  const tlsOf = (c: Contribution) => JSON.stringify(c.tls ?? null);
  const tlsText = use[0] ? tlsOf(use[0]) : 'null';
  const conflicting = use.filter((c) => tlsOf(c) !== tlsText);
  if (conflicting.length > 0) {
    const first = use[0]?.policy ?? '';
    diagnostics.push(...atPortRules(conflicting, policyByKey, [{ severity: 'error', code: 'tls.conflict', message: `${workload.key} port ${port} (${direction}${serverNames.length > 0 ? `, server names ${serverNames.join(', ')}` : ''}) has another TLS configuration in ${first}: one port and SNI allow list take one terminatingTLS, originatingTLS and injectHeaders. This port rule is left out.` }]));
    use = use.filter((c) => tlsOf(c) === tlsText);
  }
  const name = chainName(direction, port, workload.key, serverNames);
  const policies = chainPolicies(use);
  const cgroup = direction === 'outbound' ? { ...(workload.cgroup !== undefined ? { cgroup: workload.cgroup } : {}), ...(workload.podUid !== undefined ? { podUid: workload.podUid } : {}) } : {};

  if (use[0]?.protocol === 'kafka') {
    const kafkaNode = workload.proxy.kind === 'envoy' ? workload.proxy.kafkaNode : undefined;
    if (!kafkaNode || !kafkaNodes.has(kafkaNode)) {
      report('error', use, 'kafka.no-enforcer', `${workload.key} has Kafka rules on port ${port} but no Kafka enforcer: set proxy.kafka on the workload in the inventory`);
      return { result: { kind: 'none' }, diagnostics };
    }
    const excepts = use.filter((c) => c.peers.kind === 'ranges' && c.peers.ranges.some((r) => r.except.length > 0));
    if (excepts.length > 0) {
      report('error', excepts, 'kafka.peer-except', `Kafka rules on ${workload.key} port ${port} use ipBlock.except, which the Kafka enforcer cannot evaluate; list the allowed ranges instead`);
      return { result: { kind: 'none' }, diagnostics };
    }
    const authz = kafkaAuthz(use);
    if (authz.enforce && authz.audit) {
      report('warning', use.filter((c) => c.mode === 'audit'), 'kafka.audit-beside-enforce', `${workload.key} port ${port}: the Kafka enforcer evaluates one rule set per port, so audit-mode Kafka rules beside enforced ones are not evaluated`);
    }
    return { result: { kind: 'kafka', node: kafkaNode, chain: { name, direction, port, workload: workload.key, addresses: workload.addresses, ...cgroup, policies, ...authz } }, diagnostics };
  }

  const authz = httpAuthz(use);
  const portTls = use[0]?.tls;
  if (workload.proxy.kind === 'grpc-proxyless') {
    if (portTls) {
      // At the TLS field each port rule asked with (they all ask the same: conflicting ones are left out above).
      const field = portTls.terminate ? 'terminatingTLS' : portTls.originate ? 'originatingTLS' : portTls.inject ? 'injectHeaders' : 'serverNames';
      diagnostics.push(...atPortRules(use, policyByKey, [{ severity: 'error', code: 'tls.proxyless', field, message: `${workload.key} is a proxyless gRPC workload: sluice does not configure its TLS (gRFC A29 takes certificates from the gRPC bootstrap's certificate providers, not from SDS: docs/tls.md)` }]));
      return { result: { kind: 'none' }, diagnostics };
    }
    if (direction === 'outbound') {
      report('warning', use, 'proxyless.egress', `${workload.key} is a proxyless gRPC workload: gRPC enforces policies on the server side only, so egress rules for it are not enforced`);
      return { result: { kind: 'none' }, diagnostics };
    }
    const ipv4Peers = use.filter((c) => c.peers.kind === 'ranges' && c.peers.ranges.some((r) => r.cidr.family === 4));
    if (ipv4Peers.length > 0) {
      report('warning', ipv4Peers, 'proxyless.ipv4-peers', `${workload.key} is a proxyless gRPC server: grpc-js-xds (1.14) sees IPv4 clients as ::ffff:a.b.c.d and cannot match them against address rules, so rules with IPv4 peers deny every IPv4 client (it fails closed); IPv6 peers work`);
    }
    return { result: { kind: 'proxyless', server: { workload: workload.key, addresses: workload.addresses, port, policies, authz } }, diagnostics };
  }
  let tls: HttpChain['tls'];
  let secretsOfChain: readonly IrSecret[] = [];
  if (portTls) {
    const resolved = resolveTls(portTls, secrets);
    const at = use[0]?.portRuleId;
    tls = resolved.unavailableField !== undefined && at !== undefined ? { ...resolved.tls, unavailableRule: `${at}.${resolved.unavailableField}` } : resolved.tls;
    secretsOfChain = resolved.secrets;
    diagnostics.push(...atPortRules(use, policyByKey, resolved.problems));
  }
  const addresses = workload.addresses.map((a) => hostCidr(a)).filter((c): c is Cidr => typeof c !== 'string');
  const chain: HttpChain = {
    name,
    direction,
    port,
    destinations: direction === 'inbound' ? addresses : [],
    sources: direction === 'outbound' ? addresses : [],
    workload: workload.key,
    ...cgroup,
    policies,
    authz,
    ...(tls ? { tls } : {}),
  };
  return { result: { kind: 'envoy', node: workload.proxy.node, chain, secrets: secretsOfChain }, diagnostics };
}
