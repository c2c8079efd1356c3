/**
 * The flow collector: a gRPC server for Envoy's access-log service
 * (`envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs`, HTTP entries) and for sluice's
 * own `sluice.flow.v1alpha1.FlowCollector/PushFlows` (the Kafka enforcer's flows). Every stream is
 * read as fast as it arrives; decoded flows go into one bounded queue that a drain loop empties
 * into the sink in batches, yielding to the event loop between batches. A full queue drops flows
 * and counts them: a proxy is never held up and memory never grows past the queue's bound.
 *
 * Hostile input: a message over `maxMessageBytes` is refused by the transport (RESOURCE_EXHAUSTED);
 * one that does not decode, a stream whose first message has no identifier, or a batch of more
 * than `maxEntriesPerMessage` entries ends that stream with INVALID_ARGUMENT, counted by reason.
 * A stream from a node the inventory does not know is accepted and counted
 * (`sluice_flow_streams_total{known="false"}`): Envoy never retries a refused log, so refusing a
 * node the inventory has not caught up with would lose its evidence, and the collector listens
 * where xDS does, behind the same trust boundary.
 */
import * as grpc from '@grpc/grpc-js';
import { Registry, silentLogger, type Logger } from '../telemetry/index.js';
import { mapHttpEntry, mapTcpEntry, type StreamContext } from './als-mapping.js';
import { NO_CHAINS, type ChainLookup } from './chains.js';
import { flowFromProto } from './codec.js';
import { ALS_METHOD, ALS_SERVICE, DECODE_FORM, FLOW_METHOD, FLOW_SERVICE, flowMessage, MESSAGE } from './proto.js';
import { BoundedQueue } from './queue.js';
import type { FlowRecord } from './record.js';
import { WorkloadIndex } from './workloads.js';
import { checkNodeIdentity, nodeIdsOf, type NodeIdentityOptions } from '../xds-server/identity.js';
import { collectorMetrics, type CollectorMetrics } from './collector-metrics.js';
import { checkPushedFlow } from './pushed-flow.js';

export interface CollectorOptions {
  /** Where drained flows go (the store, the metrics, the exports), a batch at a time. */
  readonly sink: (flows: readonly FlowRecord[]) => void;
  /** The current inventory's workloads and the compiled chains (they change with every publish). */
  readonly workloads?: () => WorkloadIndex;
  readonly chains?: () => ChainLookup;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** Flows waiting for the sink (default 65,536). */
  readonly queueCapacity?: number;
  /** Flows handed to the sink per turn of the event loop (default 2,048). */
  readonly batch?: number;
  /** The largest gRPC message accepted (default 4 MiB; Envoy's batches are ~16 KiB). */
  readonly maxMessageBytes?: number;
  readonly maxEntriesPerMessage?: number;
  /**
   * With mutual TLS on the port (`serve --xds-tls-*`): an access-log stream must come from the node
   * its client certificate names, and a pushed flow must name a node the certificate names, as
   * for xDS streams (xds-server/identity.ts). Otherwise refused and counted.
   */
  readonly identity?: NodeIdentityOptions;
}

export interface CollectorStats {
  readonly accepted: number;
  readonly dropped: number;
  readonly rejectedMessages: number;
  readonly queued: number;
  readonly streams: number;
}

type Reader = grpc.ServerReadableStream<Buffer, Buffer>;
type Done = grpc.sendUnaryData<Buffer>;

function clientStreaming(service: string, method: string): grpc.MethodDefinition<Buffer, Buffer> {
  const identity = (b: Buffer): Buffer => b;
  return { path: `/${service}/${method}`, requestStream: true, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity, originalName: method };
}

export class FlowCollector {
  readonly metrics: CollectorMetrics;
  private readonly queue: BoundedQueue<FlowRecord>;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly batch: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private draining = false;
  private streams = 0;
  private rejected = 0;
  private own: grpc.Server | undefined;
  private readonly noInventory = new WorkloadIndex(undefined);

  constructor(private readonly o: CollectorOptions) {
    this.queue = new BoundedQueue(o.queueCapacity ?? 65_536);
    this.log = (o.logger ?? silentLogger).child({ component: 'flows' });
    this.now = o.now ?? Date.now;
    this.batch = o.batch ?? 2048;
    this.maxEntries = o.maxEntriesPerMessage ?? 10_000;
    this.maxBytes = o.maxMessageBytes ?? 4 * 1024 * 1024;
    this.metrics = collectorMetrics(o.registry ?? new Registry(), () => this.queue.size);
  }

  stats(): CollectorStats {
    return { accepted: this.queue.accepted, dropped: this.queue.dropped, rejectedMessages: this.rejected, queued: this.queue.size, streams: this.streams };
  }

  /** gRPC server options that hold the message size limit at the transport. */
  serverOptions(): grpc.ServerOptions {
    return { 'grpc.max_receive_message_length': this.maxBytes };
  }

  /** Adds both services to a gRPC server the caller owns (`serve`'s xDS server, so Envoy reaches it over its xDS cluster). */
  register(server: grpc.Server): void {
    server.addService({ [ALS_METHOD]: clientStreaming(ALS_SERVICE, ALS_METHOD) }, { [ALS_METHOD]: (call: Reader, done: Done) => this.accessLogs(call, done) });
    server.addService({ [FLOW_METHOD]: clientStreaming(FLOW_SERVICE, FLOW_METHOD) }, { [FLOW_METHOD]: (call: Reader, done: Done) => this.pushed(call, done) });
  }

  /** A gRPC server of its own (default an ephemeral loopback port); returns the port. */
  async listen(address = '127.0.0.1:0'): Promise<number> {
    if (this.own) throw new Error('FlowCollector.listen called twice');
    const server = new grpc.Server(this.serverOptions());
    this.register(server);
    this.own = server;
    return new Promise<number>((resolve, reject) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  }

  async close(): Promise<void> {
    this.own?.forceShutdown();
    this.own = undefined;
    this.drain();
  }

  /** Offers flows as if a stream had sent them (tests, and in-process producers). */
  offer(flows: readonly FlowRecord[], source: 'envoy' | 'kafka'): number {
    let taken = 0;
    for (const f of flows) if (this.queue.offer(f)) taken += 1;
    this.metrics.received.inc({ source }, flows.length);
    if (taken < flows.length) this.metrics.dropped.inc({ reason: 'queue_full' }, flows.length - taken);
    this.schedule();
    return taken;
  }

  private workloads(): WorkloadIndex {
    return this.o.workloads?.() ?? this.noInventory;
  }

  private refuse(call: Reader, done: Done, reason: string, message: string, fields: Record<string, unknown>, code: grpc.status = grpc.status.INVALID_ARGUMENT): void {
    this.rejected += 1;
    this.metrics.rejected.inc({ reason });
    this.log.warn('flow stream refused', { reason, message, peer: call.getPeer(), ...fields });
    call.removeAllListeners('data');
    done({ code, details: message });
  }

  /** The node ids the stream's client certificate names (undefined: identities are not checked here). */
  private certifiedNodes(call: Reader): readonly string[] | undefined {
    if (!this.o.identity) return undefined;
    let cert: { subjectaltname?: string } | undefined;
    try {
      cert = call.getAuthContext()?.sslPeerCertificate;
    } catch {
      cert = undefined;
    }
    return nodeIdsOf(cert?.subjectaltname, this.o.identity.trustDomain);
  }

  private opened(node: string, source: 'envoy' | 'kafka', call: Reader): () => void {
    const known = this.workloads().nodes.has(node);
    this.streams += 1;
    this.metrics.streams.inc({ source, known: String(known) });
    if (!known) this.log.warn('flows from a node the inventory does not list (accepted)', { node, source, peer: call.getPeer() });
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.streams -= 1;
    };
  }

  private accessLogs(call: Reader, done: Done): void {
    const type = flowMessage(MESSAGE.alsRequest);
    let ctx: StreamContext | undefined;
    let close: (() => void) | undefined;
    let index = 0;
    call.on('data', (bytes: Buffer) => {
      const at = `message[${index++}]`;
      let message: Record<string, unknown>;
      try {
        message = type.toObject(type.decode(bytes), DECODE_FORM) as Record<string, unknown>;
      } catch (error) {
        return this.refuse(call, done, 'malformed', `${at}: not a StreamAccessLogsMessage: ${error instanceof Error ? error.message : String(error)}`, { node: ctx?.node });
      }
      const identifier = message['identifier'] as { node?: { id?: string }; log_name?: string } | null | undefined;
      if (!ctx) {
        const node = identifier?.node?.id ?? '';
        if (!node) return this.refuse(call, done, 'no_identifier', `${at}.identifier.node.id: the first message of a stream must identify its node`, {});
        if (this.o.identity) {
          const verdict = checkNodeIdentity(call.getAuthContext(), node, this.o.identity);
          if (!verdict.ok) return this.refuse(call, done, 'identity', verdict.details, { node }, verdict.code);
        }
        ctx = { node, logName: identifier?.log_name ?? '', workloads: this.workloads(), chains: this.o.chains?.() ?? NO_CHAINS, now: this.now };
        close = this.opened(node, 'envoy', call);
      } else {
        // The inventory and chains may have changed since the stream opened.
        ctx = { ...ctx, workloads: this.workloads(), chains: this.o.chains?.() ?? NO_CHAINS };
      }
      const kind = message['tcp_logs'] ? 'tcp_logs' : 'http_logs';
      const entries = (message[kind] as { log_entry?: unknown[] } | null | undefined)?.log_entry ?? [];
      if (entries.length > this.maxEntries) return this.refuse(call, done, 'too_many_entries', `${at}.${kind}.log_entry: ${entries.length} entries, at most ${this.maxEntries}`, { node: ctx.node });
      const context = ctx;
      const map = kind === 'tcp_logs' ? mapTcpEntry : mapHttpEntry;
      this.offer(entries.map((e) => map(e, context)), 'envoy');
    });
    const end = () => close?.();
    call.on('end', () => {
      end();
      done(null, Buffer.alloc(0));
    });
    call.on('error', end);
    call.on('close', end);
  }

  private pushed(call: Reader, done: Done): void {
    const type = flowMessage(MESSAGE.pushRequest);
    const response = flowMessage(MESSAGE.pushResponse);
    let accepted = 0;
    let dropped = 0;
    let rejected = 0;
    let index = 0;
    const nodes = new Map<string, () => void>();
    const certified = this.certifiedNodes(call);
    if (certified && certified.length === 0) {
      this.refuse(call, done, 'identity', `this collector requires a client certificate naming spiffe://${this.o.identity?.trustDomain}/node/<id> (mutual TLS)`, {}, grpc.status.UNAUTHENTICATED);
      return;
    }
    call.on('data', (bytes: Buffer) => {
      const at = `message[${index++}]`;
      let flows: unknown[];
      try {
        flows = ((type.toObject(type.decode(bytes), DECODE_FORM) as { flows?: unknown[] }).flows ?? []);
      } catch (error) {
        return this.refuse(call, done, 'malformed', `${at}: not a PushFlowsRequest: ${error instanceof Error ? error.message : String(error)}`, {});
      }
      if (flows.length > this.maxEntries) return this.refuse(call, done, 'too_many_entries', `${at}.flows: ${flows.length} flows, at most ${this.maxEntries}`, {});
      const good: FlowRecord[] = [];
      const workloads = this.workloads();
      flows.forEach((raw, i) => {
        const flow = flowFromProto(raw as Record<string, unknown>);
        const problem = checkPushedFlow(flow) ?? (certified && !certified.includes(flow.node) ? { path: 'node', message: `"${flow.node}" is not the node this stream's client certificate names (${certified.join(', ')})` } : undefined);
        if (problem) {
          rejected += 1;
          this.metrics.rejected.inc({ reason: 'invalid_flow' });
          if (rejected <= 3) this.log.warn('pushed flow refused', { path: `${at}.flows[${i}].${problem.path}`, message: problem.message });
          return;
        }
        if (!nodes.has(flow.node)) nodes.set(flow.node, this.opened(flow.node, 'kafka', call));
        good.push({ ...flow, time: flow.time || this.now(), source: workloads.resolve(flow.source), destination: workloads.resolve(flow.destination) });
      });
      const taken = this.offer(good, 'kafka');
      accepted += taken;
      dropped += good.length - taken;
    });
    const end = () => {
      for (const close of nodes.values()) close();
      nodes.clear();
    };
    call.on('end', () => {
      end();
      done(null, Buffer.from(response.encode(response.fromObject({ accepted, dropped, rejected })).finish()));
    });
    call.on('error', end);
    call.on('close', end);
  }

  private schedule(): void {
    if (this.draining || this.queue.size === 0) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      this.drain();
      this.schedule();
    });
  }

  private drain(): void {
    const batch = this.queue.take(this.batch);
    if (batch.length === 0) return;
    try {
      this.o.sink(batch);
    } catch (error) {
      this.log.error('the flow sink failed; the batch is lost', { flows: batch.length, error });
      this.metrics.dropped.inc({ reason: 'sink_failed' }, batch.length);
    }
  }
}
