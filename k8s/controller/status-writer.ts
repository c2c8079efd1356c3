/**
 * Writes L7Policy status, on the leader only, rate limited, with optimistic concurrency:
 *
 * - Policies are marked dirty (a new apply, an ACK or NACK, a proxy gone); a marked policy is
 *   written at most once per `perPolicyMs`, and all of them at most `qps` a second (a token
 *   bucket of `burst`). What is written is computed when it is written, from the newest state: a
 *   flood of updates to one policy costs a few writes and ends in the status of the last.
 * - A status equal to the stored one is not written.
 * - The write is a PUT of the object as read, with its resourceVersion, to `/status`: when someone
 *   changed the object meanwhile the API server answers 409; the object is read again, the status
 *   computed against it (its generation, its `auditSince`), and written again (3 attempts, then
 *   the policy waits for its next turn).
 */
import type { KubeApi } from '../admission/kube-api.js';
import type { Logger } from '../../telemetry/index.js';
import { parseObjectKey } from '../../policy-compiler/index.js';
import { metaOf } from './objects.js';
import { sameStatus } from './policy-conditions.js';

/** The status a policy should have, against `object` (the object as read); undefined: none to write (not applied yet). */
export type DesiredStatus = (key: string, object: unknown) => unknown;

export interface StatusWriterOptions {
  readonly api: KubeApi;
  readonly logger: Logger;
  /** The object as the informer holds it (undefined: deleted). */
  readonly object: (key: string) => unknown;
  readonly desired: DesiredStatus;
  /** Whether this replica may write (it leads). */
  readonly active: () => boolean;
  readonly perPolicyMs?: number;
  readonly qps?: number;
  readonly burst?: number;
  readonly now?: () => number;
  readonly onWrite?: (key: string, outcome: WriteOutcome) => void;
}

export type WriteOutcome = 'written' | 'unchanged' | 'conflict' | 'gone' | 'failed';

const POLICIES = '/apis/sluice.dev/v1alpha1/namespaces';

export function policyPath(key: string): string {
  const { namespace, name } = parseObjectKey(key) ?? { namespace: '', name: '' };
  return `${POLICIES}/${encodeURIComponent(namespace)}/l7policies/${encodeURIComponent(name)}`;
}

export class StatusWriter {
  private readonly dirty = new Set<string>();
  private readonly lastWrite = new Map<string, number>();
  private tokens: number;
  private refilled: number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;
  private readonly now: () => number;
  readonly counts: Record<WriteOutcome, number> = { written: 0, unchanged: 0, conflict: 0, gone: 0, failed: 0 };

  constructor(private readonly o: StatusWriterOptions) {
    this.now = o.now ?? Date.now;
    this.tokens = o.burst ?? 50;
    this.refilled = this.now();
  }

  mark(keys: Iterable<string>): void {
    for (const k of keys) this.dirty.add(k);
    this.kick(0);
  }

  /** Policies waiting to be written. */
  get pending(): number {
    return this.dirty.size;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private kick(ms: number): void {
    if (this.closed || this.busy || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, ms);
    this.timer.unref();
  }

  private refill(): void {
    const now = this.now();
    const qps = this.o.qps ?? 20;
    this.tokens = Math.min(this.o.burst ?? 50, this.tokens + ((now - this.refilled) / 1000) * qps);
    this.refilled = now;
  }

  private async drain(): Promise<void> {
    if (!this.o.active() || this.dirty.size === 0) {
      // A follower keeps its marks: when it leads, it writes them.
      if (this.dirty.size > 0) this.kick(500);
      return;
    }
    this.busy = true;
    const perPolicy = this.o.perPolicyMs ?? 1000;
    let wait = Infinity;
    try {
      for (const key of [...this.dirty].sort()) {
        if (this.closed || !this.o.active()) break;
        const since = this.now() - (this.lastWrite.get(key) ?? -Infinity);
        if (since < perPolicy) {
          wait = Math.min(wait, perPolicy - since);
          continue;
        }
        this.refill();
        if (this.tokens < 1) {
          wait = Math.min(wait, Math.ceil(((1 - this.tokens) / (this.o.qps ?? 20)) * 1000));
          break;
        }
        this.dirty.delete(key);
        const outcome = await this.write(key);
        if (outcome !== 'unchanged' && outcome !== 'gone') {
          this.tokens -= 1;
          this.lastWrite.set(key, this.now());
        }
        if (outcome === 'conflict' || outcome === 'failed') this.dirty.add(key);
        this.counts[outcome]++;
        this.o.onWrite?.(key, outcome);
      }
    } finally {
      this.busy = false;
    }
    if (this.dirty.size > 0) this.kick(Number.isFinite(wait) ? wait : 50);
  }

  private async write(key: string): Promise<WriteOutcome> {
    let object = this.o.object(key);
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (object === undefined) return 'gone';
      const status = this.o.desired(key, object);
      if (status === undefined) return 'unchanged';
      const current = (object as { status?: unknown }).status;
      if (sameStatus(current ?? {}, status)) return 'unchanged';
      try {
        const put = await this.o.api.request('PUT', `${policyPath(key)}/status`, { ...(object as Record<string, unknown>), status });
        if (put.status === 200) return 'written';
        if (put.status === 404) return 'gone';
        if (put.status !== 409) {
          this.o.logger.error('status write refused', { policy: key, status: put.status, body: put.body.slice(0, 500) });
          return 'failed';
        }
        // Someone changed it since it was read: read it again and compute against that.
        const got = await this.o.api.request('GET', policyPath(key));
        if (got.status === 404) return 'gone';
        if (got.status !== 200) return 'conflict';
        object = JSON.parse(got.body) as unknown;
        this.o.logger.debug('status write conflict; retrying against the object read again', { policy: key, attempt, resourceVersion: metaOf(object).resourceVersion });
      } catch (error) {
        this.o.logger.warn('status write failed', { policy: key, error });
        return 'failed';
      }
    }
    return 'conflict';
  }
}
