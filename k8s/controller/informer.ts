/**
 * One informer: a list, then a watch from the list's resourceVersion, over
 * `@kubernetes/client-node`'s ListWatch (1.4.0; 2.x does not load on Node 20). Its cache is what
 * the controller reads. What happens when the watch breaks:
 *
 * - the API server ends it (a timeout, a restart behind a load balancer, a connection cut): the
 *   ListWatch watches again from the last resourceVersion it saw: resumed, nothing listed;
 * - the API server says that version is gone (410 Expired): it lists again (relisted), and the
 *   objects that disappeared in between are reported deleted;
 * - the API server cannot be reached (the watch or the list fails): the ListWatch stops, and this
 *   informer starts it again with a back-off (0.5 s doubling to 10 s), resuming from the last
 *   resourceVersion, or listing if it never listed. Its cache stays as it was meanwhile.
 *
 * Lists are raw JSON (the watch's objects are raw JSON too), paginated by 500.
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from '../admission/kube-api.js';
import type { Logger } from '../../telemetry/index.js';
import { field, isRecord } from './objects.js';

export interface InformerStats {
  /** Lists made: the first, and one per relist. */
  readonly lists: number;
  /** Times the watch was (re)started. */
  readonly watches: number;
  readonly errors: number;
  readonly lastError?: string;
  readonly synced: boolean;
}

export interface InformerOptions {
  readonly name: string;
  /** The collection's path, e.g. `/api/v1/pods` or `/api/v1/namespaces/ns/secrets` (with a field selector in `fieldSelector`). */
  readonly path: string;
  readonly fieldSelector?: string;
  readonly kubeconfig: KubeConfig;
  readonly api: KubeApi;
  readonly logger: Logger;
  /** Called after every change to the cache (add, update, delete) that matters (see `changeKey`). */
  readonly onChange: () => void;
  /**
   * What of an object the reader uses: an update that leaves it equal is not signalled (the
   * controller's own status writes to L7Policy objects, a kubelet's condition updates to Pods),
   * so they never hold back the debounce of a change that matters. Absent: every update counts.
   */
  readonly changeKey?: (object: KubernetesObject) => string;
  /** Called when the watch fails (the API server is away) and when it comes back. */
  readonly onHealth?: (ok: boolean, error?: string) => void;
  readonly pageSize?: number;
}

export class Informer {
  private readonly watch: ListWatch<KubernetesObject>;
  private lists = 0;
  private watches = 0;
  private errors = 0;
  private lastError: string | undefined;
  private synced = false;
  private changes = 0;
  private backoffMs = 500;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: InformerOptions) {
    this.watch = new ListWatch<KubernetesObject>(o.path, new Watch(o.kubeconfig), () => this.list(), false, undefined, o.fieldSelector);
    const keys = new Map<string, string>();
    const id = (obj: KubernetesObject) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    this.watch.on('add', (obj) => {
      if (o.changeKey) keys.set(id(obj), o.changeKey(obj));
      this.changes++;
      o.onChange();
    });
    this.watch.on('update', (obj) => {
      if (o.changeKey) {
        const key = o.changeKey(obj);
        if (keys.get(id(obj)) === key) return;
        keys.set(id(obj), key);
      }
      this.changes++;
      o.onChange();
    });
    this.watch.on('delete', (obj) => {
      keys.delete(id(obj));
      this.changes++;
      o.onChange();
    });
    this.watch.on('connect', () => {
      this.watches++;
    });
    this.watch.on('error', (error: unknown) => this.failed(error));
  }

  start(): void {
    this.stopped = false;
    void this.watch.start().catch((error: unknown) => this.failed(error));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    void this.watch.stop();
  }

  objects(): readonly KubernetesObject[] {
    return this.watch.list();
  }

  /** Counts the changes signalled: equal revisions, equal caches (as far as `changeKey` sees). */
  get revision(): number {
    return this.changes;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  stats(): InformerStats {
    return { lists: this.lists, watches: this.watches, errors: this.errors, ...(this.lastError ? { lastError: this.lastError } : {}), synced: this.synced };
  }

  private failed(error: unknown): void {
    this.errors++;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.o.onHealth?.(false, this.lastError);
    if (this.stopped) return;
    clearTimeout(this.retry);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
    this.o.logger.warn('watch failed; resuming it after a back-off', { informer: this.o.name, ms: wait, error: this.lastError });
    this.retry = setTimeout(() => this.start(), wait);
    this.retry.unref();
  }

  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    const items: KubernetesObject[] = [];
    let resourceVersion = '';
    let next: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(this.o.pageSize ?? 500), ...(next ? { continue: next } : {}), ...(this.o.fieldSelector ? { fieldSelector: this.o.fieldSelector } : {}) });
      const got = await this.o.api.request('GET', `${this.o.path}?${query.toString()}`);
      if (got.status !== 200) {
        const error = new Error(`list ${this.o.path}: ${got.status} ${got.body.slice(0, 300)}`);
        Object.assign(error, { statusCode: got.status });
        throw error;
      }
      const page: unknown = JSON.parse(got.body);
      const pageItems = field(page, 'items');
      if (Array.isArray(pageItems)) for (const i of pageItems) if (isRecord(i)) items.push(i as KubernetesObject);
      resourceVersion = String(field(page, 'metadata', 'resourceVersion') ?? '');
      const cont = field(page, 'metadata', 'continue');
      next = typeof cont === 'string' && cont !== '' ? cont : undefined;
    } while (next);
    this.lists++;
    this.synced = true;
    this.backoffMs = 500;
    this.o.onHealth?.(true);
    // The ListWatch reports the objects as adds or updates; a list that changed nothing still counts.
    queueMicrotask(() => this.o.onChange());
    return { metadata: { resourceVersion }, items };
  }
}
