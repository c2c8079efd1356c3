/**
 * The xDS client of sluice's own proxies (the Kafka enforcer, the node agent): one ADS stream,
 * state of the world, subscribed to one sluice resource type. Each response is handed whole to
 * `apply`, which takes it all or nothing; the client ACKs with the response's version, or NACKs
 * with the last accepted version and the problems (field paths) as `error_detail`, and the
 * previous state stays in force. The stream reconnects with capped exponential back-off, and on
 * reconnect names the version it holds, so a server with nothing new sends nothing.
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

interface DiscoveryRequest {
  version_info?: string;
  node?: { id: string; cluster?: string; user_agent_name?: string };
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
    stream.write({
      node: { id: this.o.nodeId, ...(this.o.cluster ? { cluster: this.o.cluster } : {}), user_agent_name: this.o.userAgent },
      type_url: this.o.typeUrl,
      resource_names: [...this.o.resourceNames],
      version_info: this.accepted,
    });
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
    const base = { type_url: this.o.typeUrl, response_nonce: response.nonce, resource_names: [...this.o.resourceNames] };
    if (outcome.ok) {
      this.accepted = response.version_info;
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
