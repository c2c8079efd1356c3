/**
 * Keeping the `caBundle` of the webhook configurations current: read each configuration, and
 * JSON-patch every webhook whose `clientConfig.caBundle` differs from the bundle, guarded by a
 * `test` of the resourceVersion read (so a concurrent edit is never overwritten; the read and
 * patch are retried). The patch is computed by a pure function.
 */
import { pointer, type JsonPatchOperation } from './json-patch.js';
import type { KubeApi } from './kube-api.js';
import { WEBHOOK_CONFIGURATIONS } from './names.js';
import { isRecord } from './review.js';

export interface WebhookConfigurationRef {
  readonly kind: 'validating' | 'mutating';
  readonly name: string;
}

/** The configurations of deploy/webhooks. */
export const SLUICE_WEBHOOK_CONFIGURATIONS: readonly WebhookConfigurationRef[] = [
  { kind: 'validating', name: WEBHOOK_CONFIGURATIONS.validating },
  { kind: 'mutating', name: WEBHOOK_CONFIGURATIONS.mutating },
];

export function configurationPath(ref: WebhookConfigurationRef): string {
  return `/apis/admissionregistration.k8s.io/v1/${ref.kind}webhookconfigurations/${encodeURIComponent(ref.name)}`;
}

/** The patch that sets every webhook's caBundle to `bundleBase64`, or none when all have it. */
export function caBundlePatch(configuration: unknown, bundleBase64: string): JsonPatchOperation[] {
  const webhooks = isRecord(configuration) && Array.isArray(configuration['webhooks']) ? configuration['webhooks'] : [];
  const ops: JsonPatchOperation[] = [];
  webhooks.forEach((w: unknown, i) => {
    const clientConfig = isRecord(w) ? w['clientConfig'] : undefined;
    if (!isRecord(clientConfig)) {
      ops.push({ op: 'add', path: pointer(['webhooks', i, 'clientConfig']), value: { caBundle: bundleBase64 } });
      return;
    }
    if (clientConfig['caBundle'] === bundleBase64) return;
    ops.push({ op: clientConfig['caBundle'] === undefined ? 'add' : 'replace', path: pointer(['webhooks', i, 'clientConfig', 'caBundle']), value: bundleBase64 });
  });
  if (ops.length === 0) return [];
  const metadata = isRecord(configuration) && isRecord(configuration['metadata']) ? configuration['metadata'] : {};
  return [{ op: 'test', path: '/metadata/resourceVersion', value: metadata['resourceVersion'] }, ...ops];
}

export interface CaBundleSyncResult {
  readonly configuration: WebhookConfigurationRef;
  /** How many webhooks got the new bundle (0: all had it). */
  readonly patched: number;
}

export class CaBundleSyncError extends Error {
  override readonly name = 'CaBundleSyncError';
}

/** Sets the caBundle of every webhook of every configuration to `bundlePem`; throws when one cannot be read or patched. */
export async function syncCaBundle(api: KubeApi, configurations: readonly WebhookConfigurationRef[], bundlePem: string, attempts = 4): Promise<CaBundleSyncResult[]> {
  const bundle = Buffer.from(bundlePem).toString('base64');
  const results: CaBundleSyncResult[] = [];
  for (const ref of configurations) {
    const path = configurationPath(ref);
    for (let attempt = 1; ; attempt++) {
      const got = await api.request('GET', path);
      if (got.status !== 200) throw new CaBundleSyncError(`GET ${ref.kind} webhook configuration ${ref.name}: ${got.status} ${statusMessage(got.body)}`);
      const patch = caBundlePatch(JSON.parse(got.body) as unknown, bundle);
      if (patch.length === 0) {
        results.push({ configuration: ref, patched: 0 });
        break;
      }
      const put = await api.request('PATCH', path, patch, 'application/json-patch+json');
      if (put.status === 200) {
        results.push({ configuration: ref, patched: patch.length - 1 });
        break;
      }
      // 422 with a failed test op, or 409: someone changed it between the read and the patch.
      if ((put.status === 422 || put.status === 409) && attempt < attempts) continue;
      throw new CaBundleSyncError(`PATCH ${ref.kind} webhook configuration ${ref.name}: ${put.status} ${statusMessage(put.body)}`);
    }
  }
  return results;
}

function statusMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed) && typeof parsed['message'] === 'string') return parsed['message'];
  } catch {
    /* not a Status */
  }
  return body.slice(0, 500);
}
