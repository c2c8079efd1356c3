/**
 * The proxy's xDS client: one ADS stream (state of the world) subscribed to
 * `sluice.kafka.v1alpha1.KafkaPolicy`. Each response carries every policy of the node; it is
 * validated whole and either applied (ACK with its version) or rejected (NACK carrying the last
 * accepted version and `error_detail` with the problems and their field paths), in which case
 * the previous rules stay in force. The stream reconnects with capped exponential backoff.
 */
import type grpc from '@grpc/grpc-js';
import { MESSAGES, TYPE_URL, decodeMessage } from '../../envoy-api/index.js';
import { formatDiagnostic, type Diagnostic } from '../../problems/index.js';
import type { Logger } from '../../telemetry/index.js';
import { SingleTypeAdsClient, type AdsUpdate, type AnyResource } from '../../xds-client/index.js';
import { validateKafkaPolicy, type KafkaPolicy, type KafkaPolicyJson } from '../policy/resource.js';
import type { PolicyStore } from '../policy/store.js';

const KAFKA_POLICY_TYPE_URL = TYPE_URL.KAFKA;

/** Validates one whole state-of-the-world response. */
export function parsePolicies(resources: readonly AnyResource[]): { policies: KafkaPolicy[]; problems: Diagnostic[] } {
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
  /** Called after every ACK or NACK (tests and status); an ACK's `applied` is the number of policies. */
  readonly onUpdate?: (update: XdsUpdate) => void;
}

export type XdsUpdate = AdsUpdate;

/** Subscribes to every KafkaPolicy of its node (the wildcard) and keeps the store equal to the last good response. */
export class KafkaXdsClient {
  private readonly ads: SingleTypeAdsClient;

  constructor(o: XdsClientOptions) {
    this.ads = new SingleTypeAdsClient({
      address: o.address,
      nodeId: o.nodeId,
      ...(o.cluster ? { cluster: o.cluster } : {}),
      userAgent: 'sluice-kafka-proxy',
      typeUrl: KAFKA_POLICY_TYPE_URL,
      resourceNames: [],
      logger: o.logger,
      ...(o.credentials ? { credentials: o.credentials } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.onUpdate ? { onUpdate: o.onUpdate } : {}),
      apply: (resources, version) => {
        const { policies, problems } = parsePolicies(resources);
        if (problems.length > 0) return { ok: false, message: problems.map((d) => formatDiagnostic(d, 'brief')).join('; ') };
        o.store.set(policies, version);
        o.logger.info('xDS update applied (ACK)', { version, policies: policies.map((p) => p.name) });
        return { ok: true, applied: policies.length };
      },
    });
  }

  /** Whether a stream is open on a ready channel (not "has received a response": a resumed version gets none). */
  get connected(): boolean {
    return this.ads.connected;
  }

  /** The last ACK or NACK, for /healthz. */
  get last(): XdsUpdate | undefined {
    return this.ads.last;
  }

  start(): void {
    this.ads.start();
  }

  stop(): void {
    this.ads.stop();
  }
}
