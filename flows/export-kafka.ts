/**
 * Flow export to a Kafka topic: one JSON message per flow (the JSON-lines form), keyed by the
 * destination workload so one workload's flows stay in order on one partition. The producer is
 * kafkajs behind a small interface; flows wait in a bounded buffer while a send is in flight, and
 * past it they are dropped and counted, so a slow or absent broker never holds memory or the
 * collector. `createKafkajsProducer` loads kafkajs only when the export is configured.
 */
import { flowToJson } from './codec.js';
import { workloadKey, type FlowRecord } from './record.js';

export interface KafkaMessage {
  readonly key: string;
  readonly value: string;
}

/** The seam: sends one batch to the topic; rejects when the broker did not take it. */
export interface KafkaProducer {
  send(topic: string, messages: readonly KafkaMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaExportOptions {
  readonly topic: string;
  /** Flows waiting while a send is in flight (default 10,000). */
  readonly bufferFlows?: number;
  /** Flows per send (default 500). */
  readonly batch?: number;
}

export class KafkaExport {
  private buffer: FlowRecord[] = [];
  private sending: Promise<void> | undefined;
  private readonly bufferFlows: number;
  private readonly batch: number;
  sent = 0;
  dropped = 0;
  failed = 0;
  lastError: string | undefined;

  constructor(private readonly producer: KafkaProducer, readonly options: KafkaExportOptions) {
    this.bufferFlows = options.bufferFlows ?? 10_000;
    this.batch = options.batch ?? 500;
  }

  write(flows: readonly FlowRecord[]): void {
    const room = this.bufferFlows - this.buffer.length;
    if (flows.length > room) this.dropped += flows.length - Math.max(0, room);
    if (room > 0) this.buffer.push(...flows.slice(0, room));
    this.pump();
  }

  /** Resolves once everything buffered has been sent or failed. */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.producer.close();
  }

  private pump(): void {
    if (this.sending || this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, this.batch);
    const messages = batch.map((f) => ({ key: workloadKey(f.destination) || f.destination.address, value: JSON.stringify(flowToJson(f)) }));
    this.sending = this.producer
      .send(this.options.topic, messages)
      .then(() => {
        this.sent += batch.length;
      })
      .catch((error: unknown) => {
        this.failed += batch.length;
        this.lastError = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        this.sending = undefined;
        this.pump();
      });
  }
}

interface KafkajsModule {
  Kafka: new (config: { clientId: string; brokers: string[]; logLevel?: number }) => {
    producer(config?: { allowAutoTopicCreation?: boolean }): {
      connect(): Promise<void>;
      send(record: { topic: string; acks?: number; messages: Array<{ key: string; value: string }> }): Promise<unknown>;
      disconnect(): Promise<void>;
    };
  };
}

/** A kafkajs producer for `brokers` (`host:port,...`), connected when it first sends. */
export async function createKafkajsProducer(brokers: readonly string[], clientId = 'sluice-flows'): Promise<KafkaProducer> {
  let mod: KafkajsModule;
  try {
    mod = (await import('kafkajs')) as unknown as KafkajsModule;
  } catch {
    throw new Error('the Kafka flow export needs the kafkajs package (npm install kafkajs)');
  }
  const producer = new mod.Kafka({ clientId, brokers: [...brokers], logLevel: 0 }).producer({ allowAutoTopicCreation: false });
  // Connected at the first send, and again after a failed connect: brokers that are away when
  // serving starts cost flows (counted as failed), never the start.
  let connected: Promise<void> | undefined;
  const connect = () =>
    (connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    }));
  return {
    send: async (topic, messages) => {
      await connect();
      await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value })) });
    },
    close: () => producer.disconnect(),
  };
}
