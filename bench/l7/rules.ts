/**
 * The policies of the L7 benchmark: one workload with a port per rule set, each port holding N
 * distinct allow rules and the same deny rule, written as a security team would (HTTP: different
 * methods, path prefixes, exact paths, regexes and header conditions; gRPC: one service each,
 * some methods or all, some with a header condition).
 *
 * Envoy keeps an RBAC filter's policies in a `std::map` (ordered by name, byte by byte) and tries
 * them in that order until one matches. So the request a run sends is made to match exactly one
 * rule, chosen by where its id sorts: the first id (every other policy is skipped) or the last
 * (every other policy is tried and fails first: the worst case). Those two rules are plain
 * GET-prefix rules (HTTP) or `[Get, List]` rules (gRPC), whatever their index.
 */
import type { SourceFile } from '../../policy-compiler/index.js';

export type Protocol = 'http' | 'grpc';
export type Position = 'first' | 'last';

/** A port of the benchmark workload and what its policy allows. */
export interface RuleSet {
  readonly protocol: Protocol;
  /** Allow rules on the port; 0: the port rule has no `rules` (allow all). */
  readonly rules: number;
  readonly port: number;
}

export const NAMESPACE = 'bench';
export const WORKLOAD = 'upstream';
export const NODE = 'bench-node';

/** The rule id the compiler gives allow rule `i` of a rule set (the RBAC policy's name). */
export function ruleId(set: RuleSet, i: number): string {
  return `${NAMESPACE}/${policyName(set)}#spec.ingress[0].toPorts[0].rules.${set.protocol}[${i}]`;
}

function policyName(set: RuleSet): string {
  return `${set.protocol}-${set.rules === 0 ? 'allow-all' : set.rules}`;
}

/** Byte-wise order, as `std::map<std::string, …>` sorts. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The index of the allow rule whose id Envoy tries first or last. */
export function measuredIndex(set: RuleSet, position: Position): number {
  const order = Array.from({ length: set.rules }, (_, i) => i).sort((a, b) => byteOrder(ruleId(set, a), ruleId(set, b)));
  const index = position === 'first' ? order[0] : order[order.length - 1];
  if (index === undefined) throw new Error(`rule set ${policyName(set)} has no rules`);
  return index;
}

/** The request path that matches rule `i` only (and the deny rule never). */
export function requestPath(protocol: Protocol, i: number): string {
  return protocol === 'http' ? `/api/v1/svc${i}/orders` : `/bench.v1.Svc${i}/Get`;
}

function httpRule(i: number, measured: ReadonlySet<number>): string {
  if (measured.has(i)) return `{ method: GET, path: { prefix: /api/v1/svc${i}/ } }`;
  switch (i % 4) {
    case 0:
      return `{ method: GET, path: { prefix: /api/v1/svc${i}/ } }`;
    case 1:
      return `{ method: POST, path: { exact: /api/v1/svc${i}/items }, headers: [ { name: x-tenant, exact: t${i} } ] }`;
    case 2:
      return `{ method: GET, path: { prefix: /api/v2/svc${i}/ }, headers: [ { name: x-api-key, present: true } ] }`;
    default:
      return `{ method: PUT, path: { regex: "/api/v3/svc${i}/[0-9]+" } }`;
  }
}

function grpcRule(i: number, measured: ReadonlySet<number>): string {
  if (measured.has(i) || i % 3 === 0) return `{ service: bench.v1.Svc${i}, methods: [ Get, List ] }`;
  if (i % 3 === 1) return `{ service: bench.v1.Svc${i} }`;
  return `{ service: bench.v1.Svc${i}, methods: [ Get, Watch ], headers: [ { name: x-tenant, exact: t${i} } ] }`;
}

export function policyFile(set: RuleSet): SourceFile {
  const measured = new Set(set.rules === 0 ? [] : [measuredIndex(set, 'first'), measuredIndex(set, 'last')]);
  const rule = set.protocol === 'http' ? httpRule : grpcRule;
  const rules = Array.from({ length: set.rules }, (_, i) => `                - ${rule(i, measured)}`).join('\n');
  const allow = set.rules === 0 ? '' : `\n          rules:\n            ${set.protocol}:\n${rules}`;
  const text = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: ${policyName(set)}, namespace: ${NAMESPACE} }
spec:
  selector: { matchLabels: { app: ${WORKLOAD} } }
  ingress:
    - toPorts:
        - ports: [ { port: ${set.port} } ]${allow}
          deny:
            http: [ { path: { prefix: /admin/ } } ]
`;
  return { name: `policies/${policyName(set)}.yaml`, text };
}

export function inventoryFile(sets: readonly RuleSet[]): SourceFile {
  const ports = sets.map((s) => `{ port: ${s.port} }`).join(', ');
  const text = `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies:
  - { node: ${NODE} }
workloads:
  - { name: ${WORKLOAD}, namespace: ${NAMESPACE}, labels: { app: ${WORKLOAD} }, addresses: [ 10.233.0.10 ], ports: [ ${ports} ], proxy: { node: ${NODE} } }
`;
  return { name: 'inventory.yaml', text };
}
