/**
 * A synthetic but realistic policy set for the compile benchmark: an inventory of workloads over
 * namespaces and Envoy nodes, and policies that each select a few workloads with a mix of HTTP
 * and gRPC rules (every matcher kind), peers and deny rules.
 */
import type { SourceFile } from '../../policy-compiler/index.js';

export interface WorkloadShape {
  readonly policies: number;
  readonly rulesPerPolicy: number;
  readonly workloads: number;
  readonly namespaces: number;
  readonly nodes: number;
}

export function inventoryFile(shape: WorkloadShape): SourceFile {
  const lines = ['apiVersion: sluice.dev/v1alpha1', 'kind: Inventory', 'workloads:'];
  for (let i = 0; i < shape.workloads; i++) {
    const ns = `ns-${i % shape.namespaces}`;
    const ip = `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`;
    lines.push(`  - { name: app-${i}, namespace: ${ns}, labels: { app: app-${i}, team: team-${i % 37} }, addresses: [${ip}], ports: [ { port: 8080, name: http }, { port: 9090, name: grpc } ], proxy: { node: node-${i % shape.nodes} } }`);
  }
  return { name: 'inventory.yaml', text: `${lines.join('\n')}\n` };
}

function rule(p: number, r: number): string {
  switch (r % 5) {
    case 0:
      return `{ method: GET, path: { prefix: /v1/p${p}/r${r} } }`;
    case 1:
      return `{ method: POST, path: { exact: /v1/p${p}/items }, headers: [ { name: x-tenant, exact: t${r} } ] }`;
    case 2:
      return `{ path: { regex: "/v2/p${p}/[0-9]+/r${r}" }, host: { suffix: .example.com } }`;
    case 3:
      return `{ headers: [ { name: x-token, present: true }, { name: user-agent, prefix: "svc-${r}/" } ] }`;
    default:
      return `{ method: PUT, path: { suffix: /r${r}.json } }`;
  }
}

export function policyFile(shape: WorkloadShape, p: number, variant = 0): SourceFile {
  const ns = `ns-${p % shape.namespaces}`;
  const httpRules = Array.from({ length: shape.rulesPerPolicy - 2 }, (_, r) => `              - ${rule(p, r + variant)}`).join('\n');
  const text = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: policy-${p}, namespace: ${ns} }
spec:
  mode: ${p % 10 === 0 ? 'audit' : 'enforce'}
  selector: { matchLabels: { team: team-${p % 37} } }
  ingress:
    - from: [ { selector: { matchLabels: { team: team-${(p + 1) % 37} } } }, { ipBlock: { cidr: 10.200.0.0/16, except: [ 10.200.1.0/24 ] } } ]
      toPorts:
        - ports: [ { port: http } ]
          rules:
            http:
${httpRules}
          deny:
            http: [ { path: { prefix: /admin/p${p} } } ]
        - ports: [ { port: grpc } ]
          rules:
            grpc: [ { service: svc${p}.v1.Api, methods: [ Get, List ] } ]
`;
  return { name: `policies/policy-${p}.yaml`, text };
}

export function policyFiles(shape: WorkloadShape): SourceFile[] {
  return Array.from({ length: shape.policies }, (_, p) => policyFile(shape, p));
}
