/**
 * One client connection and its upstream connection. Requests are framed, enforced and forwarded
 * (or answered, or the connection closed); responses are matched to requests in order, edited
 * where enforcement asked for it, and written back strictly in request order, injected answers
 * waiting behind in-flight ones. Bounded: one frame at most per direction in the framers, at most
 * `maxInFlight` requests awaiting answers, and each socket is paused while the other is full.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../telemetry/index.js';
import { apiNameOf } from '../../kafka-apis/index.js';
import type { KafkaPolicy } from '../policy/resource.js';
import type { PolicyStore } from '../policy/store.js';
import type { TopicIds } from '../policy/topic-ids.js';
import { enforceRequest } from '../enforce/request.js';
import type { BrokerRewriter, FlowDecision, ResponseTransform } from '../enforce/types.js';
import { Framer } from '../protocol/framer.js';
import type { RequestHeader } from '../protocol/messages.js';
import type { ProxyMetrics } from './metrics.js';

export type FlowLog = 'all' | 'deny' | 'none';

/** One decision as the flow collector takes it (flows/kafka-sink.ts `KafkaDecision`, without the node). */
export interface KafkaFlowEvent {
  readonly time: number;
  readonly client: { readonly address: string; readonly port: number };
  readonly broker: { readonly address: string; readonly port: number };
  readonly clientId: string | null;
  readonly api: string;
  readonly version: number;
  /** `topic`, `group`, `transactional_id`, ... and its name. */
  readonly resource: string;
  readonly name: string;
  /** The enforcer's own verdict words. */
  readonly verdict: 'allow' | 'deny' | 'audit_deny';
  readonly rule: string;
  readonly policy: string;
}

export interface ConnectionOptions {
  readonly client: Socket;
  readonly upstream: Socket;
  /** The broker the connection goes to, as its policy was looked up (flows name it even before the upstream socket connects). */
  readonly broker: { readonly address: string; readonly port: number };
  /** The policy in force for this connection's broker, looked up per request (rules change live). */
  readonly policy: () => KafkaPolicy | undefined;
  readonly store: PolicyStore;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly maxFrameBytes: number;
  readonly maxInFlight: number;
  /** A request frame left incomplete this long closes the connection (slowloris). */
  readonly frameTimeoutMs: number;
  readonly flowLog: FlowLog;
  /** Every decision, whatever `flowLog` says (`kafka-proxy --flows-address` pushes them to sluice serve). */
  readonly flowSink?: (event: KafkaFlowEvent) => void;
  readonly rewriteBroker?: BrokerRewriter;
  readonly topicIds: TopicIds;
  readonly onClose: () => void;
}

interface Slot {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly transform?: ResponseTransform;
  readonly fromUpstream: boolean;
  out?: Buffer;
}

export class Connection {
  private readonly requests: Framer;
  private readonly responses: Framer;
  private readonly slots: Slot[] = [];
  private readonly awaiting: Slot[] = [];
  private readonly peer: string;
  private fetchGeneration = -1;
  private closed = false;
  private frameTimer: NodeJS.Timeout | undefined;
  private clientPaused = new Set<string>();

  constructor(private readonly o: ConnectionOptions) {
    this.requests = new Framer(o.maxFrameBytes);
    this.responses = new Framer(o.maxFrameBytes);
    this.peer = o.client.remoteAddress ?? '';
    o.metrics.connections.inc();
    o.client.on('data', (chunk: Buffer) => this.guard(() => this.onClientData(chunk)));
    o.upstream.on('data', (chunk: Buffer) => this.guard(() => this.onUpstreamData(chunk)));
    o.client.on('drain', () => o.upstream.resume());
    o.upstream.on('drain', () => this.resumeClient('upstream-full'));
    for (const [side, socket] of [['client', o.client], ['upstream', o.upstream]] as const) {
      socket.on('error', (error) => this.close(`${side} error: ${error.message}`, 'socket_error'));
      socket.on('close', () => this.close(`${side} closed`, side === 'client' ? 'client_closed' : 'upstream_closed'));
    }
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.o.logger.error('kafka connection failed', { client: this.peer, error });
      this.close(`internal error: ${error instanceof Error ? error.message : String(error)}`, 'internal_error');
    }
  }

  private pauseClient(reason: string): void {
    this.clientPaused.add(reason);
    this.o.client.pause();
  }

  private resumeClient(reason: string): void {
    this.clientPaused.delete(reason);
    if (this.clientPaused.size === 0 && !this.closed) this.o.client.resume();
  }

  private onClientData(chunk: Buffer): void {
    this.o.metrics.bytes.inc({ direction: 'client_to_broker' }, chunk.length);
    this.requests.push(chunk);
    for (;;) {
      if (this.closed) return;
      const next = this.requests.next();
      if (next.kind === 'error') return this.close(`request ${next.message}`, 'oversized_frame');
      if (next.kind === 'more') break;
      this.onRequest(next.frame);
    }
    this.armFrameTimer();
  }

  private armFrameTimer(): void {
    clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
    if (this.requests.pending > 0 && !this.closed) {
      this.frameTimer = setTimeout(() => this.close(`request frame incomplete after ${this.o.frameTimeoutMs} ms`, 'frame_timeout'), this.o.frameTimeoutMs);
      this.frameTimer.unref();
    }
  }

  private onRequest(frame: Buffer): void {
    const policy = this.o.policy();
    let header: RequestHeader | undefined;
    const outcome = enforceRequest(frame, {
      policy,
      peer: this.peer,
      topicIds: this.o.topicIds,
      fetchSessionStale: this.fetchGeneration !== -1 && this.fetchGeneration !== this.o.store.generation,
      late: (d) => {
        if (header) this.logDecision(header.apiKey, header.apiVersion, header.clientId, d, policy);
      },
      ...(this.o.rewriteBroker ? { rewriteBroker: this.o.rewriteBroker } : {}),
    });
    const { plan, decisions } = outcome.enforcement;
    if (!outcome.ok) {
      this.o.metrics.decodeErrors.inc({ side: 'request' });
      this.o.metrics.requests.inc({ api: outcome.ids ? apiNameOf(outcome.ids.apiKey) : 'none', verdict: 'error' });
      this.o.logger.warn('kafka request rejected', { client: this.peer, error: outcome.error, action: plan.kind });
    } else {
      header = outcome.request.header;
      if (outcome.enforcement.fullFetch) this.fetchGeneration = this.o.store.generation;
      this.record(header.apiKey, header.apiVersion, header.clientId, decisions, policy, plan.kind === 'forward' && plan.rewritten);
    }
    switch (plan.kind) {
      case 'close':
        return this.close(plan.reason, 'policy_close');
      case 'respond':
        this.slots.push({ correlationId: frame.readInt32BE(8), apiKey: frame.readInt16BE(4), fromUpstream: false, out: plan.response });
        this.flush();
        break;
      case 'forward': {
        if (plan.expectResponse) {
          const slot: Slot = { correlationId: frame.readInt32BE(8), apiKey: frame.readInt16BE(4), fromUpstream: true, ...(plan.transform ? { transform: plan.transform } : {}) };
          this.slots.push(slot);
          this.awaiting.push(slot);
        }
        if (!this.o.upstream.write(plan.frame)) this.pauseClient('upstream-full');
        break;
      }
    }
    if (this.slots.length >= this.o.maxInFlight) this.pauseClient('in-flight');
  }

  private record(apiKey: number, version: number, clientId: string | null, decisions: readonly FlowDecision[], policy: KafkaPolicy | undefined, partial: boolean): void {
    const audit = policy?.mode === 'audit';
    const denied = decisions.some((d) => !d.verdict.allowed);
    const verdict = !denied ? 'allow' : audit ? 'audit_deny' : partial ? 'partial' : 'deny';
    this.o.metrics.requests.inc({ api: apiNameOf(apiKey), verdict });
    for (const d of decisions) this.logDecision(apiKey, version, clientId, d, policy);
  }

  /** One flow record (and its count) per decision. */
  private logDecision(apiKey: number, version: number, clientId: string | null, d: FlowDecision, policy: KafkaPolicy | undefined): void {
    const audit = policy?.mode === 'audit';
    const v = d.verdict.allowed ? 'allow' : audit ? 'audit_deny' : 'deny';
    this.o.metrics.decisions.inc({ kind: d.kind, verdict: v });
    this.o.flowSink?.({
      time: Date.now(),
      client: { address: this.peer, port: this.o.client.remotePort ?? 0 },
      broker: this.o.broker,
      clientId, api: apiNameOf(apiKey), version, resource: d.kind, name: d.name, verdict: v, rule: d.verdict.ruleId, policy: policy?.policy ?? '',
    });
    if (this.o.flowLog === 'none' || (this.o.flowLog === 'deny' && d.verdict.allowed)) return;
    this.o.logger.info('kafka flow', {
      client: this.peer, clientId, api: apiNameOf(apiKey), version, resource: d.kind, name: d.name, verdict: v,
      rule: d.verdict.ruleId, ...(d.verdict.role ? { role: d.verdict.role } : {}), policy: policy?.policy ?? '', mode: policy?.mode ?? 'uncovered',
    });
  }

  private onUpstreamData(chunk: Buffer): void {
    this.o.metrics.bytes.inc({ direction: 'broker_to_client' }, chunk.length);
    this.responses.push(chunk);
    for (;;) {
      if (this.closed) return;
      const next = this.responses.next();
      if (next.kind === 'error') return this.close(`response ${next.message}`, 'oversized_frame');
      if (next.kind === 'more') return;
      this.onResponse(next.frame);
    }
  }

  private onResponse(frame: Buffer): void {
    const slot = this.awaiting.shift();
    const correlationId = frame.length >= 8 ? frame.readInt32BE(4) : undefined;
    if (!slot || slot.correlationId !== correlationId) {
      this.o.metrics.decodeErrors.inc({ side: 'response' });
      return this.close(`upstream answered correlation id ${String(correlationId)}, expected ${String(slot?.correlationId)}`, 'upstream_protocol_error');
    }
    if (!slot.transform) {
      slot.out = frame;
      return this.flush();
    }
    Promise.resolve()
      .then(() => slot.transform!(frame.subarray(4)))
      .then((out) => {
        slot.out = out;
        this.flush();
      })
      .catch((error: unknown) => {
        this.o.metrics.decodeErrors.inc({ side: 'response' });
        this.close(`${apiNameOf(slot.apiKey)} response could not be rewritten: ${error instanceof Error ? error.message : String(error)}`, 'upstream_protocol_error');
      });
  }

  private flush(): void {
    while (!this.closed && this.slots[0]?.out) {
      const slot = this.slots.shift()!;
      if (!this.o.client.write(slot.out!)) this.o.upstream.pause();
    }
    if (this.slots.length < this.o.maxInFlight) this.resumeClient('in-flight');
  }

  /** Closes both sides once; safe to call repeatedly. */
  close(reason: string, kind: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.frameTimer);
    this.o.metrics.connections.dec();
    this.o.metrics.closes.inc({ reason: kind });
    if (kind !== 'client_closed') this.o.logger.info('kafka connection closed', { client: this.peer, reason });
    this.o.client.destroy();
    this.o.upstream.destroy();
    this.o.onClose();
  }
}
