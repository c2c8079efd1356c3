/**
 * The node agent's xDS client: one ADS stream (state of the world) subscribed to its host's
 * `sluice.redirect.v1alpha1.NodeRedirects`. Each response is handed to `apply`, which programs
 * it whole or not at all; the client ACKs with the response's version, or NACKs with the last
 * accepted version and the problems (field paths) as `error_detail`. The stream reconnects with
 * capped exponential back-off; while it is down nothing is changed (the maps are pinned).
 */
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { INCLUDE_DIRS } from '../envoy-api/index.js';
import type { Logger } from '../telemetry/index.js';
import { NODE_REDIRECTS_TYPE_URL, type AnyResource } from './resource.js';

interface DiscoveryResponse {
  readonly version_info: string;
  readonly resources: readonly AnyResource[];
  readonly type_url: string;
  readonly nonce: string;
}
interface DiscoveryRequest {
  version_info?: string;
  node?: { id: string; cluster?: string; user_agent_name?: string; locality?: Record<string, never> };
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

/** What applying one response came to. */
export type ApplyOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

export type XdsUpdate =
  | { readonly kind: 'ack'; readonly version: string; readonly at: number }
  | { readonly kind: 'nack'; readonly version: string; readonly message: string; readonly at: number };

export interface AgentXdsOptions {
  readonly address: string;
  readonly nodeId: string;
  /** The resource this agent subscribes to: its host's name. */
  readonly resourceName: string;
  readonly apply: (resources: readonly AnyResource[], version: string) => ApplyOutcome;
  readonly logger: Logger;
  readonly credentials?: grpc.ChannelCredentials;
  readonly backoff?: { readonly initial: number; readonly max: number };
  readonly now?: () => number;
  readonly onUpdate?: (update: XdsUpdate) => void;
}

export class AgentXdsClient {
  private client: AdsClient | undefined;
  private stream: AdsStream | undefined;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private openedAt = 0;
  /** The last version applied (ACKed). */
  accepted = '';
  last: XdsUpdate | undefined;

  constructor(private readonly o: AgentXdsOptions) {}

  get connected(): boolean {
    return this.stream !== undefined && this.client?.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  start(): void {
    const Ctor = adsClientClass();
    this.client = new Ctor(this.o.address, this.o.credentials ?? grpc.credentials.createInsecure());
    this.open();
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
      if (!this.stopped) this.o.logger.warn('xDS stream failed; the maps keep their entries', { error: error.message });
    });
    stream.on('close', () => this.reconnect(stream));
    stream.on('end', () => this.reconnect(stream));
    stream.write({
      node: { id: this.o.nodeId, user_agent_name: 'sluice-node-agent', locality: {} },
      type_url: NODE_REDIRECTS_TYPE_URL,
      resource_names: [this.o.resourceName],
      version_info: this.accepted,
    });
  }

  private reconnect(stream: AdsStream): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    if (this.stopped) return;
    const { initial, max } = this.o.backoff ?? { initial: 200, max: 10_000 };
    if (Date.now() - this.openedAt > max) this.attempt = 0;
    const delay = Math.min(max, initial * 2 ** this.attempt++);
    this.timer = setTimeout(() => this.open(), delay);
    this.timer.unref();
  }

  private onResponse(stream: AdsStream, response: DiscoveryResponse): void {
    const now = (this.o.now ?? Date.now)();
    if (response.type_url !== NODE_REDIRECTS_TYPE_URL) {
      stream.write({ type_url: response.type_url, response_nonce: response.nonce, version_info: '', error_detail: { code: 3, message: `not subscribed to ${response.type_url}` } });
      return;
    }
    let outcome: ApplyOutcome;
    try {
      outcome = this.o.apply(response.resources ?? [], response.version_info);
    } catch (error) {
      outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    const base = { type_url: NODE_REDIRECTS_TYPE_URL, response_nonce: response.nonce, resource_names: [this.o.resourceName] };
    if (!outcome.ok) {
      this.o.logger.warn('NodeRedirects rejected (NACK): no map changed', { version: response.version_info, message: outcome.message });
      stream.write({ ...base, version_info: this.accepted, error_detail: { code: 3, message: outcome.message } });
      this.last = { kind: 'nack', version: response.version_info, message: outcome.message, at: now };
    } else {
      this.accepted = response.version_info;
      stream.write({ ...base, version_info: response.version_info });
      this.last = { kind: 'ack', version: response.version_info, at: now };
    }
    this.o.onUpdate?.(this.last);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream?.cancel();
    this.stream = undefined;
    this.client?.close();
  }
}
