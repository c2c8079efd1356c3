/**
 * The Secrets policies reference, and only those: one informer per referenced Secret, restricted
 * by `fieldSelector=metadata.name=<name>` to its namespace, so the controller never lists, watches
 * or holds another Secret. Which Secrets that is, the compiler says (`secretReferences`: the
 * `namespace/name` of every secret a policy's TLS names); the set follows the policies, and a
 * Secret no policy names any more is dropped.
 *
 * This is the Kubernetes secret source (controller/secrets/in-force.ts): `readRaw` gives each
 * Secret that exists its decoded keys (secret-data.ts), so judging, the last good version and
 * staleness are the same code as for `serve --secrets DIR`. A Secret that does not exist is not in
 * the read (the compiler reports it missing at the field that names it); one whose informer has not
 * listed yet is `pending` (the controller waits for it before compiling, secretSyncMs).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeApi } from '../admission/kube-api.js';
import type { RawSecrets, RawValue, SecretSource } from '../../controller/index.js';
import type { Logger } from '../../telemetry/index.js';
import { parseObjectKey } from '../../policy-compiler/index.js';
import { Informer } from './informer.js';
import { secretChangeKey, secretKeyNames, secretKeys } from './secret-data.js';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

export interface SecretState {
  readonly ref: SecretRef;
  /** `pending` until its informer has listed; then whether the Secret exists. */
  readonly state: 'pending' | 'missing' | 'present';
  /** Its data keys (never the values) when it exists. */
  readonly keys: readonly string[];
  /** While pending: why its list failed (the API server away, or RBAC forbids it: `403`). */
  readonly error?: string;
}

/** `namespace/name` (the compiler's names) → the Secret's namespace and name. */
export function secretRef(key: string): SecretRef {
  return parseObjectKey(key) ?? { namespace: '', name: key };
}

export class SecretWatch implements SecretSource {
  private readonly informers = new Map<string, { ref: SecretRef; informer: Informer }>();

  constructor(private readonly o: { readonly kubeconfig: KubeConfig; readonly api: KubeApi; readonly logger: Logger; readonly onChange: () => void }) {}

  /** Watches exactly these Secrets (`namespace/name`) from now on. */
  follow(keys: readonly string[]): void {
    const wanted = new Set(keys);
    for (const [key, { informer }] of this.informers) {
      if (wanted.has(key)) continue;
      informer.stop();
      this.informers.delete(key);
    }
    for (const key of wanted) {
      if (this.informers.has(key)) continue;
      const ref = secretRef(key);
      if (ref.namespace === '' || ref.name === '') continue;
      const informer = new Informer({
        name: `secret ${key}`,
        path: `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets`,
        fieldSelector: `metadata.name=${ref.name}`,
        kubeconfig: this.o.kubeconfig,
        api: this.o.api,
        logger: this.o.logger,
        onChange: this.o.onChange,
        changeKey: secretChangeKey,
      });
      this.informers.set(key, { ref, informer });
      informer.start();
    }
  }

  /** The Secrets followed whose informer has not listed yet. */
  pending(): string[] {
    return [...this.informers].filter(([, { informer }]) => !informer.isSynced).map(([key]) => key).sort();
  }

  /** Each followed Secret that exists, its keys decoded (the secret source's read). */
  readRaw(): RawSecrets {
    const secrets = new Map<string, Map<string, RawValue>>();
    const problems: string[] = [];
    for (const [key, { ref, informer }] of this.informers) {
      if (!informer.isSynced) {
        problems.push(`secret ${key}: not read from the API server yet`);
        continue;
      }
      const found = this.find(ref, informer);
      if (found) secrets.set(key, secretKeys(found));
    }
    return { secrets, problems };
  }

  states(): SecretState[] {
    return [...this.informers.values()]
      .map(({ ref, informer }): SecretState => {
        const error = informer.stats().lastError;
        if (!informer.isSynced) return { ref, state: 'pending', keys: [], ...(error !== undefined ? { error } : {}) };
        const found = this.find(ref, informer);
        return found ? { ref, state: 'present', keys: secretKeyNames(found) } : { ref, state: 'missing', keys: [] };
      })
      .sort((a, b) => `${a.ref.namespace}/${a.ref.name}`.localeCompare(`${b.ref.namespace}/${b.ref.name}`));
  }

  close(): void {
    for (const { informer } of this.informers.values()) informer.stop();
    this.informers.clear();
  }

  private find(ref: SecretRef, informer: Informer): unknown {
    return informer.objects().find((o) => o.metadata?.name === ref.name && o.metadata.namespace === ref.namespace);
  }
}
