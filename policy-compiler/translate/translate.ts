/**
 * Stage 2, translation: the IR → the resources of every proxy, and nothing else read. Each part of
 * the IR becomes its resources through the feature translators of registry.ts: an Envoy node its
 * listeners, routes and clusters, a Kafka node its KafkaPolicy resources, the services what
 * proxyless gRPC clients need, and a proxyless server its Listener on demand (by the name it asks
 * for).
 *
 * `IncrementalTranslation` remembers its results by the identity of the IR objects they came
 * from; lowering hands back the same objects for what did not change, so translating after one
 * policy changed costs what that policy's chains cost, and unchanged nodes keep the very same
 * resource lists (publishing skips those too).
 */
import type { MESSAGES } from '../../envoy-api/index.js';
import type { EnvoyNode, HttpChain, Ir, KafkaChain, KafkaNode, ProxylessServer, Service } from '../ir/types.js';
import { parseServerListenerName, serverListenerName } from '../names.js';
import { envoyNodeResources, translateChain, type TranslatedChain } from './envoy-node.js';
import type { AccessLogSink } from '../model/types.js';
import { findProxylessServer } from './features/proxyless-listener.js';
import { HOOKS } from './registry.js';
import { sortResources, type EnvoyResource } from './resource.js';
import { policyTargets, type PolicyTarget } from './targets.js';
import { nodeRedirectsPlan, type Unsteered } from './node-redirects.js';
import type { PolicyKey } from '../model/types.js';

export interface NodeResources {
  readonly node: string;
  /** `agent`: a host's node agent (`<host>.agent`), whose one resource is the host's NodeRedirects. */
  readonly kind: 'envoy' | 'kafka' | 'agent';
  /** The proxy lets new connections through unchecked while it is not listening (the inventory's `failOpen`; never for a node agent). */
  readonly failOpen: boolean;
  /** Sorted by type (push order) and name. */
  readonly resources: readonly EnvoyResource[];
}

export interface Translation {
  /** Per Envoy node and Kafka enforcer: the resources of its snapshot. */
  readonly nodes: readonly NodeResources[];
  /** For every other xDS client (proxyless gRPC): listeners, routes, clusters and endpoints of every service. */
  readonly shared: readonly EnvoyResource[];
  /** Builds the Listener a proxyless gRPC server asks for by name (gRFC A36); `undefined` for any other name. */
  readonly resolveServerListener: (name: string) => EnvoyResource<typeof MESSAGES.listener> | undefined;
  /** The Listener of every address of every proxyless server port of the IR. */
  readonly serverListeners: () => readonly EnvoyResource<typeof MESSAGES.listener>[];
  /** The proxyless server port a Listener name resolves to, if any. */
  readonly proxylessServerOf: (listenerName: string) => { readonly workload: string; readonly port: number } | undefined;
  /** Where each policy's rules end up (what must be ACKed before it is enforced). */
  readonly targets: ReadonlyMap<PolicyKey, readonly PolicyTarget[]>;
  /** Inbound rules of workloads with a network namespace of their own: no node agent steers them. */
  readonly unsteered: readonly Unsteered[];
}

/** The Listener a server bound to `name`'s address gets; `undefined` when `name` is not a server listener name. */
function serverListener(servers: readonly ProxylessServer[], name: string): EnvoyResource<typeof MESSAGES.listener> | undefined {
  const parsed = parseServerListenerName(name);
  if (!parsed) return undefined;
  const server = findProxylessServer(servers, parsed.host, parsed.port);
  // One feature builds server Listeners (proxyless-listener.ts).
  return HOOKS.serverListener[0]?.(name, parsed.host, parsed.port, server);
}

/**
 * Results of the previous run by the IR object they came from, and of this run: each run keeps
 * only what its IR still holds (plain maps, replaced per run: no WeakMap ephemerons for the
 * garbage collector to trace, and nothing kept for chains that are gone).
 */
class Memo<K, V> {
  private previous = new Map<K, V>();
  private current = new Map<K, V>();

  get(key: K, build: (key: K) => V): V {
    let value = this.current.get(key) ?? this.previous.get(key);
    if (value === undefined) value = build(key);
    this.current.set(key, value);
    return value;
  }

  /** Replaces `key`'s value (one built with inputs the key alone does not capture). */
  set(key: K, value: V): V {
    this.current.set(key, value);
    return value;
  }

  /** Keeps `key`'s value for the next run without asking for it (the parts of a result reused whole). */
  keep(key: K): void {
    const value = this.current.get(key) ?? this.previous.get(key);
    if (value !== undefined) this.current.set(key, value);
  }

  /** Ends a run: what it did not ask for is forgotten. */
  turn(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

export class IncrementalTranslation {
  private readonly chains = new Memo<HttpChain, TranslatedChain>();
  private readonly envoyNodes = new Memo<EnvoyNode, readonly EnvoyResource[]>();
  private readonly kafkaChains = new Memo<KafkaChain, readonly EnvoyResource[]>();
  private readonly kafkaNodes = new Memo<KafkaNode, readonly EnvoyResource[]>();
  private readonly services = new Memo<readonly Service[], readonly EnvoyResource[]>();
  private readonly agentLists = new Memo<string, readonly EnvoyResource[]>();

  translate(ir: Ir): Translation {
    const agents = nodeRedirectsPlan(ir);
    const nodes: NodeResources[] = [
      ...ir.envoyNodes.map((n) => ({ node: n.node, kind: 'envoy' as const, failOpen: n.failOpen, resources: this.envoyNodes.get(n, this.envoyNode) })),
      ...ir.kafkaNodes.map((k) => ({ node: k.node, kind: 'kafka' as const, failOpen: k.failOpen, resources: this.kafkaNodes.get(k, this.kafkaNode) })),
      ...agents.agents.map((a) => ({ node: a.node, kind: 'agent' as const, failOpen: false, resources: this.agentResources(a.resource) })),
    ].sort((a, b) => a.node.localeCompare(b.node));
    // A node reused whole keeps its chains' translations for the run that changes one of them.
    for (const n of ir.envoyNodes) for (const c of [...n.inbound, ...n.outbound]) this.chains.keep(c);
    for (const k of ir.kafkaNodes) for (const c of k.chains) this.kafkaChains.keep(c);
    const shared = this.services.get(ir.services, (services) => sortResources(HOOKS.serviceResources.flatMap((build) => services.flatMap(build))));
    for (const memo of [this.chains, this.envoyNodes, this.kafkaChains, this.kafkaNodes, this.services, this.agentLists]) memo.turn();
    return {
      nodes,
      shared,
      resolveServerListener: (name) => serverListener(ir.proxyless, name),
      serverListeners: () => ir.proxyless.flatMap((s) => s.addresses.flatMap((a) => serverListener(ir.proxyless, serverListenerName(a, s.port)) ?? [])),
      proxylessServerOf: (name) => {
        const parsed = parseServerListenerName(name);
        const server = parsed ? findProxylessServer(ir.proxyless, parsed.host, parsed.port) : undefined;
        return server ? { workload: server.workload, port: server.port } : undefined;
      },
      targets: policyTargets(ir, agents.hostsOf),
      unsteered: agents.unsteered,
    };
  }

  /** The same list for the same content, so the publisher reuses its encoded snapshot. */
  private readonly agentResources = (resource: EnvoyResource): readonly EnvoyResource[] =>
    this.agentLists.get(JSON.stringify(resource.json), () => [resource]);

  private readonly envoyNode = (node: EnvoyNode): readonly EnvoyResource[] => sortResources(envoyNodeResources(node, (chain) => this.chain(chain, node.accessLog)));

  /** A chain's translation, memoised by the chain and rebuilt when its node's access-log setting differs from the one it was built with. */
  private chain(chain: HttpChain, accessLog: readonly AccessLogSink[]): TranslatedChain {
    const t = this.chains.get(chain, (c) => translateChain(c, accessLog));
    const same = t.accessLog === accessLog || (t.accessLog.length === accessLog.length && t.accessLog.every((s, i) => s === accessLog[i]));
    return same ? t : this.chains.set(chain, translateChain(chain, accessLog));
  }

  private readonly kafkaNode = (node: KafkaNode): readonly EnvoyResource[] =>
    sortResources(node.chains.flatMap((chain) => this.kafkaChains.get(chain, (c) => HOOKS.kafkaChain.flatMap((build) => build(c)))));
}

/** Translates from scratch. */
export function translate(ir: Ir): Translation {
  return new IncrementalTranslation().translate(ir);
}
