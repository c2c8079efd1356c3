/**
 * The xDS servers: SotW ADS (`StreamAggregatedResources`), Delta ADS (`DeltaAggregatedResources`)
 * and the per-type services, SotW and Delta (LDS, RDS, CDS, EDS, SDS), all over one cache and one stream
 * state machine. Knows nothing about policies: it streams what the cache holds.
 */
import * as grpc from '@grpc/grpc-js';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Registry, silentLogger, type Logger } from '../telemetry/index.js';
import { BodyCache } from './bodies.js';
import { FanOut, type FanOutNode } from './fan-out.js';
import { listenGrpc } from './listen.js';
import type { NodeWatch, SnapshotCache } from './cache.js';
import { createMetrics, type XdsMetrics } from './metrics.js';
import type { NodeStatus, NodeTypeStatus, Transport, XdsEvent, XdsEventListener } from './status.js';
import { XdsStream, type DuplexCall, type NodeLedger, type StreamContext, type XdsLimits } from './stream.js';
import type { BaseRequest } from './admit.js';
import type { Protocol } from './protocol.js';
import { DELTA } from './delta.js';
import { SOTW } from './sotw.js';
import { PUSH_ORDER, type ResourceTypeInfo, type TypeUrl } from './type-urls.js';
import type { NodeInfo } from './wire.js';
import type { NodeIdentityOptions } from './identity.js';

export type { XdsLimits } from './stream.js';

export const DEFAULT_LIMITS: XdsLimits = { maxRequestBytes: 4 * 1024 * 1024, maxNamesPerRequest: 10_000 };

export interface XdsServerOptions {
  /** Where the configuration comes from. The server only reads it (views, watches). */
  readonly cache: SnapshotCache;
  /** Structured logs (default: silent). */
  readonly logger?: Logger;
  /** Metrics are registered here (default: a private registry). */
  readonly registry?: Registry;
  /** Milliseconds; fractional values give sub-millisecond push durations (default: performance clock). */
  readonly now?: () => number;
  readonly limits?: Partial<XdsLimits>;
  /** How many disconnected nodes keep their ACK/NACK history (oldest forgotten first; default 4096). */
  readonly maxRetainedNodes?: number;
  /** Budget for shared encoded response bodies (default 64 MiB). */
  readonly bodyCacheBytes?: number;
  /** Further gRPC services `listen` serves on the same port (the flow collector's access-log service). */
  readonly services?: readonly ((server: grpc.Server) => void)[];
  /** Require each stream's node id to be the one its client certificate names (use with `listen`'s TLS credentials: identity.ts). */
  readonly identity?: NodeIdentityOptions;
}

interface NodeRecord extends NodeLedger, FanOutNode {
  node: NodeInfo;
  readonly streams: Set<XdsStream>;
  /** The cache watch, while the node has a stream. */
  watch: NodeWatch | undefined;
}

const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

function rawMethod(service: string, method: string): grpc.MethodDefinition<Buffer, Buffer> {
  const identity = (b: Buffer): Buffer => b;
  return {
    path: `/${service}/${method}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: method,
  };
}

/** A type service's Delta method beside its SotW one: every v3 discovery service pairs `StreamX` with `DeltaX`. */
function deltaMethod(sotwMethod: string): string {
  if (!sotwMethod.startsWith('Stream')) throw new Error(`per-type xDS method ${sotwMethod} is not a Stream… method`);
  return `Delta${sotwMethod.slice('Stream'.length)}`;
}

/** gRPC server options that enforce the request size limit at the transport. */
export function grpcServerOptions(limits: Partial<XdsLimits> = {}): grpc.ServerOptions {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return { 'grpc.max_receive_message_length': l.maxRequestBytes, 'grpc.max_concurrent_streams': 100_000 };
}

export class XdsServer {
  readonly metrics: XdsMetrics;
  private readonly ctx: StreamContext;
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly listeners = new Set<XdsEventListener>();
  private readonly log: Logger;
  private readonly cache: SnapshotCache;
  private readonly limits: XdsLimits;
  private readonly maxRetained: number;
  private readonly now: () => number;
  private readonly pending = new Set<XdsStream>();
  /** Node changes not yet pushed, and the requests that wait behind them (fan-out.ts). */
  private readonly fanOut: FanOut<NodeRecord>;
  /** While a stream's request is being handled: changes it causes are pushed at once, in order. */
  private inline = 0;
  /** Nodes with no stream, oldest disconnect first (eviction order). */
  private readonly idle = new Set<string>();
  private nextStreamId = 1;
  private own: grpc.Server | undefined;
  /** The listening socket `listen` opened for a TCP address. */
  private socket: net.Server | undefined;
  private readonly services: readonly ((server: grpc.Server) => void)[];

  constructor(options: XdsServerOptions) {
    this.cache = options.cache;
    this.log = (options.logger ?? silentLogger).child({ component: 'xds' });
    this.metrics = createMetrics(options.registry ?? new Registry());
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.maxRetained = options.maxRetainedNodes ?? 4096;
    this.services = options.services ?? [];
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
    const server = this;
    this.fanOut = new FanOut<NodeRecord>(this.now, (rec, types) => this.pushNode(rec, types));
    this.ctx = {
      cache: this.cache,
      metrics: this.metrics,
      log: this.log,
      now: this.now,
      limits: this.limits,
      bodies: new BodyCache(options.bodyCacheBytes ?? 64 * 1024 * 1024),
      emit: (e) => server.emit(e),
      listening: () => server.listeners.size > 0,
      attach: (s) => server.attach(s),
      metadataChanged: (s) => server.metadataChanged(s),
      detach: (s, reason) => server.detach(s, reason),
      wantedChanged: (nodeId, typeUrl) => server.wantedChanged(nodeId, typeUrl),
      defer: (stream, buf) => server.fanOut.defer(stream, buf),
      ...(options.identity ? { identity: options.identity } : {}),
    };
  }

  /**
   * Adds the ADS service (SotW and Delta) and each type's own service (its SotW `Stream…` and its
   * Delta `Delta…` method, e.g. `ListenerDiscoveryService/DeltaListeners`: what Envoy speaks for a
   * config source with `api_config_source: {api_type: GRPC | DELTA_GRPC}` instead of ADS) to a gRPC
   * server the caller owns. Every one is the same stream state machine; a per-type stream serves
   * only its type.
   */
  register(server: grpc.Server): void {
    const ads = { StreamAggregatedResources: rawMethod(ADS_SERVICE, 'StreamAggregatedResources'), DeltaAggregatedResources: rawMethod(ADS_SERVICE, 'DeltaAggregatedResources') };
    server.addService(ads, {
      StreamAggregatedResources: (call: DuplexCall) => this.open(call, 'ADS', SOTW),
      DeltaAggregatedResources: (call: DuplexCall) => this.open(call, 'DELTA_ADS', DELTA),
    });
    for (const t of PUSH_ORDER) {
      const svc = t.service;
      if (!svc) continue;
      const info: ResourceTypeInfo = t;
      const delta = deltaMethod(svc.method);
      server.addService(
        { [svc.method]: rawMethod(svc.name, svc.method), [delta]: rawMethod(svc.name, delta) },
        { [svc.method]: (call: DuplexCall) => this.open(call, info.short, SOTW), [delta]: (call: DuplexCall) => this.open(call, `DELTA_${info.short}`, DELTA) },
      );
    }
  }

  /**
   * Starts a gRPC server of its own on `address` (`host:port`, `[v6]:port`, `unix:…`; default an
   * ephemeral loopback port), with the further `services`. A TCP address gets a deep accept queue
   * (listen.ts), so a fleet connecting at once is not left to SYN retries.
   */
  async listen(address = '127.0.0.1:0', credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
    if (this.own) throw new Error('XdsServer.listen called twice');
    const server = new grpc.Server(grpcServerOptions(this.limits));
    this.register(server);
    for (const add of this.services) add(server);
    this.own = server;
    const { port, socket } = await listenGrpc(server, address, credentials);
    this.socket = socket;
    this.log.info('xDS server listening', { address, port });
    return port;
  }

  /** Stops the server started by `listen` (streams are cut; clients reconnect elsewhere). */
  async close(): Promise<void> {
    const server = this.own;
    this.own = undefined;
    this.socket?.close();
    this.socket = undefined;
    if (!server) return;
    server.forceShutdown();
  }

  /** Subscribes to events; returns the unsubscribe function. A listener that throws is logged, not fatal. */
  on(listener: XdsEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every known node: connected ones, and disconnected ones whose ACK/NACK history is retained. */
  status(): NodeStatus[] {
    return [...this.nodes.keys()].sort().flatMap((id) => {
      const s = this.nodeStatus(id);
      return s ? [s] : [];
    });
  }

  /** One node's status, or `undefined` if the server never saw it (or forgot it). */
  nodeStatus(nodeId: string): NodeStatus | undefined {
    const rec = this.nodes.get(nodeId);
    if (!rec) return undefined;
    const types: NodeTypeStatus[] = PUSH_ORDER.flatMap((t) => {
      const lastAck = rec.acks.get(t.typeUrl);
      const lastNack = rec.nacks.get(t.typeUrl);
      return lastAck || lastNack ? [{ typeUrl: t.typeUrl, type: t.short, lastAck, lastNack }] : [];
    });
    return {
      nodeId,
      node: rec.node,
      connected: rec.streams.size > 0,
      streams: [...rec.streams].sort((a, b) => a.id - b.id).map((s) => s.status()),
      types,
    };
  }

  /**
   * The version of one resource that a node last ACKed for its type (`undefined`: never ACKed, or
   * the ACKed set did not hold it). "Enforced" means this equals the resource's current version.
   */
  ackedVersion(nodeId: string, typeUrl: TypeUrl, name: string): string | undefined {
    return this.nodes.get(nodeId)?.acks.get(typeUrl)?.resources[name];
  }

  /** Drops a disconnected node's history. */
  forget(nodeId: string): void {
    const rec = this.nodes.get(nodeId);
    if (rec && rec.streams.size === 0) {
      this.nodes.delete(nodeId);
      this.idle.delete(nodeId);
    }
  }

  private open<R extends BaseRequest>(call: DuplexCall, transport: Transport, protocol: Protocol<R>): void {
    const stream = new XdsStream(this.nextStreamId++, call, transport, this.ctx, protocol as unknown as Protocol<BaseRequest>);
    this.pending.add(stream);
    this.metrics.streams.inc({ transport });
  }

  private emit(event: XdsEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error('xDS event listener threw', { err, kind: event.kind });
      }
    }
  }

  private attach(stream: XdsStream): NodeLedger | undefined {
    const node = stream.node;
    if (!node) return undefined;
    this.pending.delete(stream);
    let rec = this.nodes.get(node.id);
    if (!rec) {
      const r: NodeRecord = {
        node,
        streams: new Set(),
        acks: new Map(),
        nacks: new Map(),
        watch: undefined,
        queuedTypes: undefined,
        view: () => r.watch?.view() ?? this.cache.view(r.node.id),
      };
      rec = r;
      this.nodes.set(node.id, rec);
    }
    // Re-insert to keep the map ordered by last activity (eviction takes the oldest first).
    this.nodes.delete(node.id);
    this.nodes.set(node.id, rec);
    rec.node = node;
    rec.streams.add(stream);
    this.idle.delete(node.id);
    const watched = rec;
    rec.watch ??= this.cache.watchNode(node.id, (types) => this.onChange(watched, types));
    this.log.info('xDS stream connected', { node: node.id, stream: stream.id, transport: stream.transport, peer: stream.peer });
    this.emit({ kind: 'connect', at: this.now(), streamId: stream.id, nodeId: node.id, peer: stream.peer, transport: stream.transport, api: stream.api });
    return rec;
  }

  private metadataChanged(stream: XdsStream): void {
    const node = stream.node;
    const rec = node ? this.nodes.get(node.id) : undefined;
    if (!node || !rec?.streams.has(stream)) return;
    rec.node = node;
    this.emit({ kind: 'metadata', at: this.now(), streamId: stream.id, nodeId: node.id, metadata: node.metadata ?? {} });
  }

  private detach(stream: XdsStream, reason: string): void {
    this.metrics.streams.dec({ transport: stream.transport });
    if (this.pending.delete(stream)) return;
    const nodeId = stream.node?.id;
    if (nodeId === undefined) return;
    const rec = this.nodes.get(nodeId);
    if (!rec || !rec.streams.delete(stream)) return;
    this.log.info('xDS stream disconnected', { node: nodeId, stream: stream.id, reason });
    this.emit({ kind: 'disconnect', at: this.now(), streamId: stream.id, nodeId, peer: stream.peer, reason });
    if (rec.streams.size === 0) {
      rec.watch?.cancel();
      rec.watch = undefined;
      this.idle.add(nodeId);
      this.evict();
    } else {
      for (const t of PUSH_ORDER) this.wantedChanged(nodeId, t.typeUrl);
    }
  }

  /** Forgets the oldest disconnected nodes beyond `maxRetainedNodes` (O(1) per disconnect, also when thousands drop at once). */
  private evict(): void {
    for (const id of this.idle) {
      if (this.idle.size <= this.maxRetained) break;
      this.idle.delete(id);
      this.nodes.delete(id);
    }
  }

  private wantedChanged(nodeId: string, typeUrl: TypeUrl): void {
    const rec = this.nodes.get(nodeId);
    if (!rec) return;
    const names = new Set<string>();
    for (const s of rec.streams) for (const n of s.wantedNames(typeUrl)) names.add(n);
    this.inline++;
    try {
      this.cache.setWanted(nodeId, typeUrl, names);
    } finally {
      this.inline--;
    }
  }

  /**
   * A node's view changed. Outside request handling the push is queued and fanned out in slices
   * (fan-out.ts); a node changed again before its turn gets one push with its latest state.
   */
  private onChange(rec: NodeRecord, types: ReadonlySet<TypeUrl>): void {
    if (this.inline > 0) this.pushNode(rec, types);
    else this.fanOut.change(rec, types);
  }

  /** Pushes a node's change to its streams (a record forgotten meanwhile has none). */
  private pushNode(rec: NodeRecord, types: ReadonlySet<TypeUrl>): void {
    const start = this.now();
    for (const s of rec.streams) s.push(types);
    this.metrics.pushDuration.observe((this.now() - start) / 1000);
  }
}
