/**
 * The Kafka enforcer's side of `FlowCollector/PushFlows`: its flow-log fields become flow records,
 * offered to a bounded buffer that one client stream drains in batches. `offer` never waits and
 * never throws; a full buffer drops and counts, and a collector that is away is retried with
 * back-off while the buffer keeps its newest flows. The enforcer's connection code calls `offer`
 * where it logs `kafka flow` today (kafka-proxy/proxy/connection.ts, `logDecision`).
 */
import * as grpc from '@grpc/grpc-js';
import { flowToProto } from './codec.js';
import { FLOW_METHOD, FLOW_SERVICE, flowMessage, MESSAGE } from './proto.js';
import { BoundedQueue } from './queue.js';
import type { KafkaFlowEvent } from '../kafka-proxy/index.js';
import { NO_LABELS, type FlowRecord, type Verdict } from './record.js';

/**
 * What the enforcer knows of one decision (its `KafkaFlowEvent`: the fields of its `kafka flow`
 * log line) and where it was made.
 */
export type KafkaDecision = KafkaFlowEvent & {
  readonly node: string;
  readonly direction: 'ingress' | 'egress';
  readonly durationMs?: number;
  readonly bytes?: number;
};

const VERDICT: Record<KafkaDecision['verdict'], Verdict> = { allow: 'forwarded', deny: 'denied', audit_deny: 'audit-denied' };
/** The enforcer's special rule names (docs/kafka.md) that are not rule ids. */
const SPECIAL_RULES: Record<string, string> = { 'default-deny': 'no allow rule matched', uncovered: 'no policy covers this broker', 'connection-api': 'connection API (always allowed)', 'topic-id-unresolved': 'topic named only by id' };

/** The rule id a Kafka flow carries: '' for the enforcer's special verdicts (a default deny, an uncovered broker, …). */
export function flowRuleOf(ruleId: string): string {
  return SPECIAL_RULES[ruleId] ? '' : ruleId;
}

export function kafkaFlow(d: KafkaDecision): FlowRecord {
  const special = SPECIAL_RULES[d.rule];
  const verdict = VERDICT[d.verdict];
  return {
    time: d.time,
    node: d.node,
    direction: d.direction,
    source: { address: d.client.address, port: d.client.port, workload: '', namespace: '', labels: NO_LABELS },
    destination: { address: d.broker.address, port: d.broker.port, workload: '', namespace: '', labels: NO_LABELS },
    protocol: 'kafka',
    kafka: { api: d.api, apiVersion: d.version, topic: d.resource === 'topic' ? d.name : '', group: d.resource === 'group' ? d.name : '', clientId: d.clientId ?? '' },
    verdict,
    policy: d.policy,
    rule: flowRuleOf(d.rule),
    reason: special ?? (verdict === 'forwarded' ? 'allow rule matched' : verdict === 'denied' ? 'deny rule matched' : 'audit deny rule matched'),
    durationMs: d.durationMs ?? 0,
    bytesReceived: d.bytes ?? 0,
    bytesSent: 0,
  };
}

export interface FlowPusherOptions {
  /** The collector, `HOST:PORT` (sluice serve's xDS address). */
  readonly address: string;
  readonly bufferFlows?: number;
  readonly batch?: number;
  /** How often buffered flows are sent (default 200 ms). */
  readonly intervalMs?: number;
  /** Channel credentials (default insecure; mutual TLS when serve requires it on its xDS port). */
  readonly credentials?: grpc.ChannelCredentials;
  /** How long a stream stays open before it is ended for the collector's confirmation (default 30 s). */
  readonly confirmEveryMs?: number;
}

/** What happened to the flows offered, as far as the pusher can know. */
export interface PushCounts {
  /** Written to a stream (on its way; not yet confirmed). */
  readonly written: number;
  /** Dropped here because the buffer was full (the collector away or slow). */
  readonly dropped: number;
  /** Confirmed stored by the collector (its answer when a stream ends). */
  readonly accepted: number;
  /** Confirmed not stored: dropped by the collector's full queue, or rejected as invalid. */
  readonly refused: number;
  /** Written on a stream that then failed: the collector may or may not have them. */
  readonly unconfirmed: number;
}

/**
 * Pushes flows to the collector over a client stream, ended every `confirmEveryMs` (and on close)
 * so the collector's answer confirms what it stored; the next flush opens a new one.
 */
export class FlowPusher {
  private readonly queue: BoundedQueue<FlowRecord>;
  private readonly client: grpc.Client;
  private stream: { readonly call: grpc.ClientWritableStream<Buffer>; readonly opened: number; written: number } | undefined;
  private answered: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly type = flowMessage(MESSAGE.pushRequest);
  private readonly answer = flowMessage(MESSAGE.pushResponse);
  private backoffUntil = 0;
  private failures = 0;
  private readonly count = { written: 0, accepted: 0, refused: 0, unconfirmed: 0 };

  constructor(private readonly o: FlowPusherOptions, private readonly now: () => number = Date.now) {
    this.queue = new BoundedQueue(o.bufferFlows ?? 10_000);
    this.client = new grpc.Client(o.address, o.credentials ?? grpc.credentials.createInsecure());
    this.timer = setInterval(() => this.flush(), o.intervalMs ?? 200);
    this.timer.unref();
  }

  get counts(): PushCounts {
    return { ...this.count, dropped: this.queue.dropped };
  }

  offer(flow: FlowRecord): void {
    this.queue.offer(flow);
  }

  flush(): void {
    if (this.stream && this.now() - this.stream.opened >= (this.o.confirmEveryMs ?? 30_000)) this.endStream();
    if (this.queue.size === 0 || this.now() < this.backoffUntil) return;
    const stream = this.stream ?? this.open();
    while (this.queue.size > 0) {
      const flows = this.queue.take(this.o.batch ?? 500);
      const bytes = Buffer.from(this.type.encode(this.type.fromObject({ flows: flows.map(flowToProto) })).finish());
      this.count.written += flows.length;
      stream.written += flows.length;
      if (!stream.call.write(bytes)) break;
    }
  }

  private endStream(): void {
    this.stream?.call.end();
    this.stream = undefined;
  }

  private open(): NonNullable<FlowPusher['stream']> {
    const identity = (b: Buffer): Buffer => b;
    let settle = () => undefined as void;
    const answered = new Promise<void>((resolve) => (settle = resolve));
    this.answered = Promise.all([this.answered, answered]).then(() => undefined);
    const call = this.client.makeClientStreamRequest<Buffer, Buffer>(`/${FLOW_SERVICE}/${FLOW_METHOD}`, identity, identity, (error, response) => {
      if (this.stream?.call === call) this.stream = undefined;
      if (error || !response) {
        this.failures += 1;
        this.backoffUntil = this.now() + Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
        this.count.unconfirmed += stream.written;
      } else {
        this.failures = 0;
        this.confirm(response, stream.written);
      }
      settle();
    });
    const stream = { call, opened: this.now(), written: 0 };
    this.stream = stream;
    return stream;
  }

  /** The collector's answer for one stream: what it stored, and what it did not. */
  private confirm(response: Buffer, written: number): void {
    try {
      const r = this.answer.toObject(this.answer.decode(response), { longs: Number }) as { accepted?: number; dropped?: number; rejected?: number };
      this.count.accepted += r.accepted ?? 0;
      this.count.refused += (r.dropped ?? 0) + (r.rejected ?? 0);
    } catch {
      this.count.unconfirmed += written;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    this.endStream();
    await this.answered;
    this.client.close();
  }
}
