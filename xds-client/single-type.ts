/**
 * The xDS client of sluice's own proxies (the Kafka enforcer, the node agent): one ADS stream,
 * state of the world, subscribed to one sluice resource type. Each response is handed whole to
 * `apply`, which takes it all or nothing; the client ACKs with the response's version, or NACKs
 * with the last accepted version and the problems (field paths) as `error_detail`, and the
 * previous state stays in force. The stream reconnects with capped exponential back-off, and on
 * reconnect names the version it holds, so a server with nothing new sends nothing. What the
 * client reports beyond ACK/NACK goes in `node.metadata` (`metadata`), sent with every request
 * and restated on its own when it changes (`restate`).
 */
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { INCLUDE_DIRS } from '../envoy-api/index.js';
import type { Logger } from '../telemetry/index.js';

/** A resource as it arrives: a packed `Any`. */
export interface AnyResource {
  readonly type_url: string;
  readonly value: Buffer | Uint8Array;
}

interface DiscoveryResponse {
  readonly version_info: string;
  readonly resources: readonly AnyResource[];
  readonly type_url: string;
  readonly nonce: string;
}

/** `google.protobuf.Value` as proto-loader takes it: protobufjs's built-in struct.proto names its fields in camelCase, keepCase or not. */
type StructValue =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: { fields: Record<string, StructValue> } }
  | { listValue: { values: StructValue[] } };

/** Plain JSON as a `google.protobuf.Value` (what `node.metadata` holds). */
export function toStructValue(v: unknown): StructValue {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toStructValue) } };
  if (typeof v === 'object') return { structValue: { fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toStructValue(x)])) } };
  return { stringValue: String(v) };
}

interface DiscoveryRequest {
  version_info?: string;
  node?: { id: string; cluster?: string; user_agent_name?: string; metadata?: { fields: Record<string, StructValue> } };
  resource_names?: string[];
  type_url: string;
  response_nonce?: string;
  error_detail?: { code: number; message: string };
}

type AdsStream = grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;
type AdsClient = grpc.Client & { StreamAggregatedResources(): AdsStream };
type AdsCtor = new (address: string, credentials: grpc.ChannelCredentials) => AdsClient;

let adsCtor: AdsCtor | undefined;

function adsClientClass(): AdsCtor {
  if (adsCtor) return adsCtor;
  const definition = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    includeDirs: [...INCLUDE_DIRS], keepCase: true, longs: String, enums: String, defaults: false, oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: AdsCtor } } } } };
  adsCtor = loaded.envoy.service.discovery.v3.AggregatedDiscoveryService;
  return adsCtor;
}

/** What applying one whole response came to: how many resources or entries took effect, or why none did. */
export type ApplyOutcome = { readonly ok: true; readonly applied: number } | { readonly ok: false; readonly message: string };

/** The client's last answer to the server. */
export type AdsUpdate =
  | { readonly kind: 'ack'; readonly version: string; readonly applied: number; readonly at: number }
  | { readonly kind: 'nack'; readonly version: string; readonly message: string; readonly at: number };

/** gRPC's INVALID_ARGUMENT, the code of every NACK's `error_detail`. */
const INVALID_ARGUMENT = 3;

export interface SingleTypeOptions {
  readonly address: string;
  readonly nodeId: string;
  readonly cluster?: string;
  /** `node.user_agent_name`, e.g. `sluice-kafka-proxy`. */
  readonly userAgent: string;
  readonly typeUrl: string;
  /** The names subscribed to (empty: the wildcard, every resource of the type for this node). */
  readonly resourceNames: readonly string[];
  /** Takes one whole response or none of it (it may throw: that is a NACK too). */
  readonly apply: (resources: readonly AnyResource[], version: string) => ApplyOutcome;
  readonly logger: Logger;
  readonly credentials?: grpc.ChannelCredentials;
  /** Back-off bounds for reconnecting, ms (default 200 ms to 10 s). */
  readonly backoff?: { readonly initial: number; readonly max: number };
  readonly now?: () => number;
  /**
   * What the client reports in `node.metadata` (sluice's own keys, `sluice.dev/…`), sent with every
   * request; call `restate()` when it changed without a response to answer.
   */
  readonly metadata?: () => Readonly<Record<string, unknown>>;
  /** Called after every ACK or NACK (status, tests). */
  readonly onUpdate?: (update: AdsUpdate) => void;
}

export class SingleTypeAdsClient {
  private client: AdsClient | undefined;
  private stream: AdsStream | undefined;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private openedAt = 0;
  /** The last version applied (ACKed). */
  accepted = '';
  /** The nonce of the response last ACKed on the open stream ('' before one). */
  private ackedNonce = '';
  /** The metadata last sent on the open stream (JSON). */
  private sentMetadata: string | undefined;
  last: AdsUpdate | undefined;

  constructor(private readonly o: SingleTypeOptions) {}

  /**
   * Whether a stream is open on a ready channel. Not "has received a response": a server that
   * resumes the version this client holds rightly sends nothing, and the client is connected.
   */
  get connected(): boolean {
    return this.stream !== undefined && this.client?.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  start(): void {
    const Ctor = adsClientClass();
    this.client = new Ctor(this.o.address, this.o.credentials ?? grpc.credentials.createInsecure());
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream?.cancel();
    this.stream = undefined;
    this.client?.close();
  }

  private open(): void {
    if (this.stopped || !this.client) return;
    const stream = this.client.StreamAggregatedResources();
    this.stream = stream;
    this.openedAt = Date.now();
    stream.on('data', (response: DiscoveryResponse) => {
      this.attempt = 0;
      this.onResponse(stream, response);
    });
    stream.on('error', (error: Error) => {
      if (!this.stopped) this.o.logger.warn('xDS stream failed; what was applied stays in force', { error: error.message });
    });
    stream.on('close', () => this.reconnect(stream));
    stream.on('end', () => this.reconnect(stream));
    this.ackedNonce = '';
    this.sentMetadata = undefined;
    stream.write({
      node: this.node(),
      type_url: this.o.typeUrl,
      resource_names: [...this.o.resourceNames],
      version_info: this.accepted,
    });
  }

  /** The node, with the metadata as it is now (remembered as sent). */
  private node(): NonNullable<DiscoveryRequest['node']> {
    const md = this.o.metadata?.();
    this.sentMetadata = md === undefined ? undefined : JSON.stringify(md);
    const metadata = md === undefined ? {} : { metadata: { fields: Object.fromEntries(Object.entries(md).map(([k, v]) => [k, toStructValue(v)])) } };
    return { id: this.o.nodeId, ...(this.o.cluster ? { cluster: this.o.cluster } : {}), user_agent_name: this.o.userAgent, ...metadata };
  }

  /**
   * Sends the metadata again if it changed since it was last sent: a request that re-ACKs the
   * response last ACKed (the server answers nothing to it; if a newer response came since, its
   * nonce is stale and only the node is read). Before any ACK on the stream, the next ACK carries it.
   */
  restate(): void {
    const stream = this.stream;
    if (!stream || this.ackedNonce === '' || !this.o.metadata) return;
    if (JSON.stringify(this.o.metadata()) === this.sentMetadata) return;
    stream.write({ node: this.node(), type_url: this.o.typeUrl, response_nonce: this.ackedNonce, resource_names: [...this.o.resourceNames], version_info: this.accepted });
  }

  private reconnect(stream: AdsStream): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    if (this.stopped) return;
    const { initial, max } = this.o.backoff ?? { initial: 200, max: 10_000 };
    // A stream that lived longer than the longest back-off was a working one, answered or not.
    if (Date.now() - this.openedAt > max) this.attempt = 0;
    const delay = Math.min(max, initial * 2 ** this.attempt++);
    this.timer = setTimeout(() => this.open(), delay);
    this.timer.unref();
  }

  private onResponse(stream: AdsStream, response: DiscoveryResponse): void {
    const at = (this.o.now ?? Date.now)();
    if (response.type_url !== this.o.typeUrl) {
      stream.write({ type_url: response.type_url, response_nonce: response.nonce, version_info: '', error_detail: { code: INVALID_ARGUMENT, message: `not subscribed to ${response.type_url}` } });
      return;
    }
    let outcome: ApplyOutcome;
    try {
      outcome = this.o.apply(response.resources ?? [], response.version_info);
    } catch (error) {
      outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    const base = { node: this.node(), type_url: this.o.typeUrl, response_nonce: response.nonce, resource_names: [...this.o.resourceNames] };
    if (outcome.ok) {
      this.accepted = response.version_info;
      this.ackedNonce = response.nonce;
      stream.write({ ...base, version_info: response.version_info });
      this.last = { kind: 'ack', version: response.version_info, applied: outcome.applied, at };
    } else {
      this.o.logger.warn('xDS update rejected (NACK): what was applied stays in force', { type: this.o.typeUrl, version: response.version_info, message: outcome.message });
      stream.write({ ...base, version_info: this.accepted, error_detail: { code: INVALID_ARGUMENT, message: outcome.message } });
      this.last = { kind: 'nack', version: response.version_info, message: outcome.message, at };
    }
    this.o.onUpdate?.(this.last);
  }
}
