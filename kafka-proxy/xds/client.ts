/**
 * The proxy's xDS client: one ADS stream (state of the world) subscribed to
 * `sluice.kafka.v1alpha1.KafkaPolicy`. Each response carries every policy of the node; it is
 * validated whole and either applied (ACK with its version) or rejected (NACK carrying the last
 * accepted version and `error_detail` with the problems and their field paths), in which case
 * the previous rules stay in force. The stream reconnects with capped exponential backoff.
 */
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { INCLUDE_DIRS, MESSAGES, TYPE_URL, decodeMessage } from '../../envoy-api/index.js';
import { formatDiagnostic, type Diagnostic } from '../../problems/index.js';
import type { Logger } from '../../telemetry/index.js';
import { validateKafkaPolicy, type KafkaPolicy, type KafkaPolicyJson } from '../policy/resource.js';

const KAFKA_POLICY_TYPE_URL = TYPE_URL.KAFKA;
import type { PolicyStore } from '../policy/store.js';

interface AnyMessage {
  readonly type_url: string;
  readonly value: Buffer;
}
interface DiscoveryResponse {
  readonly version_info: string;
  readonly resources: readonly AnyMessage[];
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

let adsCtor: (new (address: string, credentials: grpc.ChannelCredentials) => AdsClient) | undefined;

function adsClientClass(): new (address: string, credentials: grpc.ChannelCredentials) => AdsClient {
  if (adsCtor) return adsCtor;
  const definition = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    includeDirs: [...INCLUDE_DIRS], keepCase: true, longs: String, enums: String, defaults: false, oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: new (a: string, c: grpc.ChannelCredentials) => AdsClient } } } };
  };
  adsCtor = loaded.envoy.service.discovery.v3.AggregatedDiscoveryService;
  return adsCtor;
}

/** Validates one whole state-of-the-world response. */
export function parsePolicies(resources: readonly AnyMessage[]): { policies: KafkaPolicy[]; problems: Diagnostic[] } {
  const policies: KafkaPolicy[] = [];
  const problems: Diagnostic[] = [];
  const problem = (code: string, path: string, message: string, name?: string): Diagnostic => ({ severity: 'error', code, path, message, ...(name !== undefined ? { subject: { kind: 'resource', type: 'KAFKA', name } } : {}) });
  const names = new Set<string>();
  resources.forEach((resource, i) => {
    if (resource.type_url !== KAFKA_POLICY_TYPE_URL) {
      problems.push(problem('xds.type', `resources[${i}]`, `type ${resource.type_url}, expected ${KAFKA_POLICY_TYPE_URL}`));
      return;
    }
    let json: KafkaPolicyJson;
    try {
      // The decoder's JSON form is the generated type's: the codec and the generator read the same proto.
      json = decodeMessage(MESSAGES.kafkaPolicy, resource.value) as KafkaPolicyJson;
    } catch (error) {
      problems.push(problem('xds.undecodable', `resources[${i}]`, `undecodable: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    const at = `resources[${i}](${json.name ?? ''})`;
    const { policy, problems: p } = validateKafkaPolicy(json, at);
    problems.push(...p);
    if (names.has(policy.name)) problems.push(problem('kafka-policy.duplicate', `${at}.name`, `duplicate resource name "${policy.name}"`, policy.name));
    names.add(policy.name);
    policies.push(policy);
  });
  return { policies, problems };
}

export interface XdsClientOptions {
  readonly address: string;
  readonly nodeId: string;
  readonly cluster?: string;
  readonly store: PolicyStore;
  readonly logger: Logger;
  readonly credentials?: grpc.ChannelCredentials;
  /** Backoff bounds for reconnecting, ms. */
  readonly backoff?: { readonly initial: number; readonly max: number };
  /** Called after every ACK or NACK (tests and status). */
  readonly onUpdate?: (update: XdsUpdate) => void;
}

export type XdsUpdate =
  | { readonly kind: 'ack'; readonly version: string; readonly policies: number }
  | { readonly kind: 'nack'; readonly version: string; readonly message: string };

export class KafkaXdsClient {
  private client: AdsClient | undefined;
  private stream: AdsStream | undefined;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private accepted = '';
  /** The last ACK or NACK, for /healthz. */
  last: XdsUpdate | undefined;
  private openedAt = 0;

  constructor(private readonly o: XdsClientOptions) {}

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

  private send(request: DiscoveryRequest): void {
    this.stream?.write(request);
  }

  private open(): void {
    if (this.stopped || !this.client) return;
    const stream = this.client.StreamAggregatedResources();
    this.stream = stream;
    this.openedAt = Date.now();
    stream.on('data', (response: DiscoveryResponse) => {
      this.attempt = 0;
      this.onResponse(response);
    });
    stream.on('error', (error: Error) => {
      if (!this.stopped) this.o.logger.warn('xDS stream failed', { error: error.message });
    });
    stream.on('close', () => this.reconnect(stream));
    stream.on('end', () => this.reconnect(stream));
    this.send({
      node: { id: this.o.nodeId, ...(this.o.cluster ? { cluster: this.o.cluster } : {}), user_agent_name: 'sluice-kafka-proxy' },
      type_url: KAFKA_POLICY_TYPE_URL,
      resource_names: [],
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

  private onResponse(response: DiscoveryResponse): void {
    if (response.type_url !== KAFKA_POLICY_TYPE_URL) {
      this.send({ type_url: response.type_url, response_nonce: response.nonce, version_info: '', error_detail: { code: 3, message: `not subscribed to ${response.type_url}` } });
      return;
    }
    const { policies, problems } = parsePolicies(response.resources ?? []);
    if (problems.length > 0) {
      const message = problems.map((d) => formatDiagnostic(d, 'brief')).join('; ');
      this.o.logger.warn('xDS update rejected (NACK)', { version: response.version_info, problems });
      this.send({ type_url: KAFKA_POLICY_TYPE_URL, response_nonce: response.nonce, version_info: this.accepted, resource_names: [], error_detail: { code: 3, message } });
      this.last = { kind: 'nack', version: response.version_info, message };
      this.o.onUpdate?.(this.last);
      return;
    }
    this.o.store.set(policies, response.version_info);
    this.accepted = response.version_info;
    this.o.logger.info('xDS update applied (ACK)', { version: response.version_info, policies: policies.map((p) => p.name) });
    this.send({ type_url: KAFKA_POLICY_TYPE_URL, response_nonce: response.nonce, version_info: response.version_info, resource_names: [] });
    this.last = { kind: 'ack', version: response.version_info, policies: policies.length };
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
