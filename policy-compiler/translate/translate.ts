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
import { findProxylessServer } from './features/proxyless-listener.js';
import { FEATURES } from './registry.js';
import { sortResources, type EnvoyResource } from './resource.js';
import { policyTargets, type PolicyTarget } from './targets.js';
import type { PolicyKey } from '../model/types.js';

export interface NodeResources {
  readonly node: string;
  readonly kind: 'envoy' | 'kafka';
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
}

/** The Listener a server bound to `name`'s address gets; `undefined` when `name` is not a server listener name. */
function serverListener(servers: readonly ProxylessServer[], name: string): EnvoyResource<typeof MESSAGES.listener> | undefined {
  const parsed = parseServerListenerName(name);
  if (!parsed) return undefined;
  const server = findProxylessServer(servers, parsed.host, parsed.port);
  for (const f of FEATURES) {
    const listener = f.serverListener?.(name, parsed.host, parsed.port, server);
    if (listener) return listener;
  }
  return undefined;
}

export class IncrementalTranslation {
  private readonly chains = new WeakMap<HttpChain, TranslatedChain>();
  private readonly envoyNodes = new WeakMap<EnvoyNode, readonly EnvoyResource[]>();
  private readonly kafkaChains = new WeakMap<KafkaChain, readonly EnvoyResource[]>();
  private readonly kafkaNodes = new WeakMap<KafkaNode, readonly EnvoyResource[]>();
  private readonly services = new WeakMap<readonly Service[], readonly EnvoyResource[]>();

  translate(ir: Ir): Translation {
    const nodes: NodeResources[] = [
      ...ir.envoyNodes.map((n) => ({ node: n.node, kind: 'envoy' as const, resources: this.envoyNode(n) })),
      ...ir.kafkaNodes.map((k) => ({ node: k.node, kind: 'kafka' as const, resources: this.kafkaNode(k) })),
    ].sort((a, b) => a.node.localeCompare(b.node));
    return {
      nodes,
      shared: this.shared(ir.services),
      resolveServerListener: (name) => serverListener(ir.proxyless, name),
      serverListeners: () => ir.proxyless.flatMap((s) => s.addresses.flatMap((a) => serverListener(ir.proxyless, serverListenerName(a, s.port)) ?? [])),
      proxylessServerOf: (name) => {
        const parsed = parseServerListenerName(name);
        const server = parsed ? findProxylessServer(ir.proxyless, parsed.host, parsed.port) : undefined;
        return server ? { workload: server.workload, port: server.port } : undefined;
      },
      targets: policyTargets(ir),
    };
  }

  private chain = (chain: HttpChain): TranslatedChain => {
    let translated = this.chains.get(chain);
    if (!translated) this.chains.set(chain, (translated = translateChain(chain)));
    return translated;
  };

  private envoyNode(node: EnvoyNode): readonly EnvoyResource[] {
    let resources = this.envoyNodes.get(node);
    if (!resources) this.envoyNodes.set(node, (resources = sortResources(envoyNodeResources(node, this.chain))));
    return resources;
  }

  private kafkaNode(node: KafkaNode): readonly EnvoyResource[] {
    let resources = this.kafkaNodes.get(node);
    if (!resources) this.kafkaNodes.set(node, (resources = sortResources(node.chains.flatMap(this.kafkaChain))));
    return resources;
  }

  private kafkaChain = (chain: KafkaChain): readonly EnvoyResource[] => {
    let resources = this.kafkaChains.get(chain);
    if (!resources) this.kafkaChains.set(chain, (resources = FEATURES.flatMap((f) => f.kafkaChain?.(chain) ?? [])));
    return resources;
  };

  private shared(services: readonly Service[]): readonly EnvoyResource[] {
    let resources = this.services.get(services);
    if (!resources) this.services.set(services, (resources = sortResources(services.flatMap((s) => FEATURES.flatMap((f) => f.serviceResources?.(s) ?? [])))));
    return resources;
  }
}

/** Translates from scratch. */
export function translate(ir: Ir): Translation {
  return new IncrementalTranslation().translate(ir);
}
