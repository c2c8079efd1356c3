/**
 * The Secrets policies reference, and only those: one informer per referenced Secret, restricted
 * by `fieldSelector=metadata.name=<name>` to its namespace, so the controller never reads another
 * Secret's data. The set follows the policies: a Secret no policy names any more is dropped.
 *
 * Which Secrets a policy references is the compiler's business (policy-driven TLS names them);
 * until those fields exist, the references come from an injected function (`SecretRefs`), and the
 * watch is proven with one Secret by the tests (test/k8s/controller/secrets.test.ts).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeApi } from '../admission/kube-api.js';
import type { Policy } from '../../policy-compiler/index.js';
import type { Logger } from '../../telemetry/index.js';
import { Informer } from './informer.js';
import { field, isRecord } from './objects.js';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/** The Secrets the policies in force reference. */
export type SecretRefs = (policies: readonly Policy[]) => readonly SecretRef[];

/** Until policy-driven TLS names Secrets in the policy schema, policies reference none. */
export const NO_SECRET_REFS: SecretRefs = () => [];

export interface SecretState {
  readonly ref: SecretRef;
  /** `missing` until the Secret exists; its data keys (never the values) when it does. */
  readonly state: 'pending' | 'missing' | 'present';
  readonly keys: readonly string[];
  /** base64 data, for the compiler's secret resources. */
  readonly data: Readonly<Record<string, string>>;
}

const refKey = (r: SecretRef) => `${r.namespace}/${r.name}`;

export class SecretWatch {
  private readonly informers = new Map<string, { ref: SecretRef; informer: Informer }>();

  constructor(private readonly o: { readonly kubeconfig: KubeConfig; readonly api: KubeApi; readonly logger: Logger; readonly onChange: () => void }) {}

  /** Watches exactly these Secrets from now on. */
  follow(refs: readonly SecretRef[]): void {
    const wanted = new Map(refs.map((r) => [refKey(r), r]));
    for (const [key, { informer }] of this.informers) {
      if (wanted.has(key)) continue;
      informer.stop();
      this.informers.delete(key);
    }
    for (const [key, ref] of wanted) {
      if (this.informers.has(key)) continue;
      const informer = new Informer({
        name: `secret ${key}`,
        path: `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets`,
        fieldSelector: `metadata.name=${ref.name}`,
        kubeconfig: this.o.kubeconfig,
        api: this.o.api,
        logger: this.o.logger,
        onChange: this.o.onChange,
      });
      this.informers.set(key, { ref, informer });
      informer.start();
    }
  }

  states(): SecretState[] {
    return [...this.informers.values()]
      .map(({ ref, informer }) => {
        if (!informer.isSynced) return { ref, state: 'pending' as const, keys: [], data: {} };
        const found = informer.objects().find((o) => o.metadata?.name === ref.name);
        const data = field(found, 'data');
        const entries = isRecord(data) ? Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
        return found ? { ref, state: 'present' as const, keys: entries.map(([k]) => k).sort(), data: Object.fromEntries(entries) } : { ref, state: 'missing' as const, keys: [], data: {} };
      })
      .sort((a, b) => refKey(a.ref).localeCompare(refKey(b.ref)));
  }

  close(): void {
    for (const { informer } of this.informers.values()) informer.stop();
    this.informers.clear();
  }
}
