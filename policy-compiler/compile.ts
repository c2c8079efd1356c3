/**
 * `compile`: validated policies + inventory → diagnostics, IR, and the Envoy resources of every
 * proxy. Pure and deterministic: the same input gives byte-identical output. It never throws on
 * bad user input; problems are diagnostics.
 */
import type { Diagnostic } from './diagnostics.js';
import { parsePath, sortDiagnostics } from './diagnostics.js';
import type { Inventory, Policy, PolicyKey } from './model/types.js';
import type { Ir } from './ir/types.js';
import type { RedirectEntry } from './ir/redirect.js';
import { IncrementalLowering } from './compiler.js';
import { serverListener } from './envoy/proxyless-server.js';
import { MESSAGES } from '../envoy-api/index.js';
import type { EnvoyResource } from './envoy/resource.js';
import { loadSources, type LoadResult } from './source/load.js';
import type { SourceFile } from './source/yaml-documents.js';

export interface NodeResources {
  readonly node: string;
  readonly kind: 'envoy' | 'kafka';
  readonly resources: readonly EnvoyResource[];
}

/** Where a policy's rules end up, so status can say which proxies must ACK before it is enforced. */
export type PolicyTarget =
  | { readonly kind: 'node'; readonly node: string; readonly message: EnvoyResource['message']; readonly name: string }
  /** A proxyless gRPC server port: whichever client asks for a Listener resolving to it. */
  | { readonly kind: 'proxyless'; readonly workload: string; readonly port: number };

export interface CompileOutput {
  readonly diagnostics: readonly Diagnostic[];
  readonly ir: Ir;
  /** Per Envoy node and Kafka enforcer: the resources of its snapshot, sorted by type and name. */
  readonly nodes: readonly NodeResources[];
  /** For every other xDS client (proxyless gRPC): listeners, routes, clusters and endpoints of every service. */
  readonly shared: readonly EnvoyResource[];
  /** Builds the Listener a proxyless gRPC server asks for by name (gRFC A36). */
  readonly resolveServerListener: (name: string) => EnvoyResource | undefined;
  readonly redirects: readonly RedirectEntry[];
  readonly targets: ReadonlyMap<PolicyKey, readonly PolicyTarget[]>;
}

const MESSAGE_ORDER: readonly string[] = [MESSAGES.cluster, MESSAGES.clusterLoadAssignment, MESSAGES.listener, MESSAGES.routeConfiguration, MESSAGES.kafkaPolicy];

/** Resources in push order (clusters, endpoints, listeners, routes), then by name. */
export function sortResources(resources: readonly EnvoyResource[]): EnvoyResource[] {
  return [...resources].sort((a, b) => MESSAGE_ORDER.indexOf(a.message) - MESSAGE_ORDER.indexOf(b.message) || a.name.localeCompare(b.name));
}

/**
 * A compiler that remembers its previous work (see `IncrementalLowering`): `sluice serve` keeps
 * one, so recompiling after one policy changed costs about what that policy costs.
 */
export class Compiler {
  private readonly lowering = new IncrementalLowering();
  private readonly sorted = new WeakMap<readonly EnvoyResource[], EnvoyResource[]>();

  compile(policies: readonly Policy[], inventory: Inventory): CompileOutput {
    const { ir, diagnostics, nodeResources, shared } = this.lowering.run(policies, inventory);
    const resourcesOf = (node: string) => this.sortOnce(nodeResources.get(node) ?? []);
    const nodes: NodeResources[] = [
      ...ir.envoyNodes.map((n) => ({ node: n.node, kind: 'envoy' as const, resources: resourcesOf(n.node) })),
      ...ir.kafkaNodes.map((k) => ({ node: k.node, kind: 'kafka' as const, resources: resourcesOf(k.node) })),
    ].sort((a, b) => a.node.localeCompare(b.node));
    return {
      diagnostics: sortDiagnostics(diagnostics),
      ir,
      nodes,
      shared: this.sortOnce(shared),
      resolveServerListener: (name) => serverListener(name, ir.proxyless),
      redirects: ir.redirects,
      targets: policyTargets(ir),
    };
  }

  private sortOnce(resources: readonly EnvoyResource[]): EnvoyResource[] {
    let sorted = this.sorted.get(resources);
    if (!sorted) this.sorted.set(resources, (sorted = sortResources(resources)));
    return sorted;
  }
}

/** Compiles from scratch: the pure function the CLI and the tests call. */
export function compile(policies: readonly Policy[], inventory: Inventory): CompileOutput {
  return new Compiler().compile(policies, inventory);
}

function policyTargets(ir: Ir): Map<PolicyKey, PolicyTarget[]> {
  const targets = new Map<PolicyKey, Map<string, PolicyTarget>>();
  const add = (key: PolicyKey, t: PolicyTarget) => {
    let list = targets.get(key);
    if (!list) targets.set(key, (list = new Map()));
    list.set(JSON.stringify(t), t);
  };
  // An Envoy chain is two resources: its filter chain in the listener, and its rules on its route.
  for (const n of ir.envoyNodes) {
    for (const [listener, chains] of [['inbound', n.inbound], ['outbound', n.outbound]] as const) {
      for (const c of chains) {
        for (const p of c.policies) {
          add(p.key, { kind: 'node', node: n.node, message: MESSAGES.listener, name: listener });
          add(p.key, { kind: 'node', node: n.node, message: MESSAGES.routeConfiguration, name: c.name });
        }
      }
    }
  }
  for (const s of ir.proxyless) for (const p of s.policies) add(p.key, { kind: 'proxyless', workload: s.workload, port: s.port });
  for (const k of ir.kafkaNodes) for (const c of k.chains) for (const p of c.policies) add(p.key, { kind: 'node', node: k.node, message: MESSAGES.kafkaPolicy, name: c.name });
  return new Map([...targets].map(([k, m]) => [k, [...m.values()]]));
}

export interface CompileSourcesResult {
  readonly load: LoadResult;
  /** Present when an inventory was found and loaded; compiled from the valid policies only. */
  readonly output?: CompileOutput;
  /** Every diagnostic: loading, validation and compilation. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Adds the line of a compile diagnostic's field path, from the document it names. */
function withLine(load: LoadResult, d: Diagnostic): Diagnostic {
  if (d.line !== undefined) return d;
  const doc = load.documents.find((x) => x.file === d.file && x.document === d.document);
  const at = doc?.locate(parsePath(d.path));
  return at ? { ...d, ...at } : d;
}

/** Loads sources (policies and exactly one inventory among them) and compiles the valid policies. */
export function compileSources(files: readonly SourceFile[]): CompileSourcesResult {
  const load = loadSources(files);
  if (!load.inventory) {
    const hasInventory = load.documents.some((d) => d.kind === 'Inventory');
    const missing: Diagnostic[] = hasInventory ? [] : [{ severity: 'error', code: 'inventory.missing', path: '', message: 'no Inventory document among the inputs: say which workloads exist (see examples/inventory.yaml)' }];
    return { load, diagnostics: sortDiagnostics([...load.diagnostics, ...missing]) };
  }
  const output = compile(load.policies, load.inventory);
  return { load, output, diagnostics: sortDiagnostics([...load.diagnostics, ...output.diagnostics.map((d) => withLine(load, d))]) };
}
