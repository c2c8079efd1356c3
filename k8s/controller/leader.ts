/**
 * The leader election loop of the controller's replicas (the decisions are lease.ts's): every
 * `retryMs` this replica reads the Lease and creates, renews or takes it, or follows its holder.
 * A leader that cannot renew within `renewDeadlineMs` (the API server is away, or another replica
 * took it) stops leading at once: it must not go on writing status as if it still held the lease.
 * `stop({ release: true })` hands the lease back, so another replica takes over without waiting
 * for it to expire.
 */
import type { KubeApi } from '../admission/kube-api.js';
import type { Logger } from '../../telemetry/index.js';
import { decideLease, leaseBody, leaseRecord, type LeaseName, type LeaseRecord, type Observation } from './lease.js';

export interface LeaderOptions {
  readonly api: KubeApi;
  readonly lease: LeaseName;
  /** This replica's identity (its Pod name). */
  readonly identity: string;
  readonly durationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryMs?: number;
  readonly now?: () => number;
  readonly logger: Logger;
  readonly onChange?: (leading: boolean) => void;
}

export interface LeaderView {
  readonly leading: boolean;
  /** The holder as last read ('' when free; undefined before the first read). */
  readonly holder?: string;
  readonly transitions: number;
}

export class LeaderElector {
  private leadingSince: number | undefined;
  private lastRenew = -Infinity;
  private observation: Observation | undefined;
  private last: LeaseRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly durationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(private readonly o: LeaderOptions) {
    this.now = o.now ?? Date.now;
    this.durationMs = o.durationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? Math.round((this.durationMs * 2) / 3);
    this.retryMs = o.retryMs ?? Math.max(200, Math.round(this.durationMs / 7));
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  view(): LeaderView {
    return { leading: this.isLeading(), ...(this.last ? { holder: this.last.holder } : {}), transitions: this.last?.transitions ?? 0 };
  }

  isLeading(): boolean {
    return this.leadingSince !== undefined && this.now() - this.lastRenew < this.renewDeadlineMs;
  }

  async stop(options: { release: boolean }): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (options.release && this.leadingSince !== undefined) {
      const body = leaseBody(this.o.lease, this.last, this.o.identity, Math.round(this.durationMs / 1000), this.now(), true);
      const r = await this.o.api.request('PUT', this.path(), body).catch(() => undefined);
      if (r?.status === 200) this.o.logger.info('leader election: lease released', { lease: this.o.lease.name });
    }
    this.setLeading(false);
  }

  private path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.o.lease.namespace}/leases/${this.o.lease.name}`;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule(this.retryMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    try {
      const got = await this.o.api.request('GET', this.path());
      if (got.status !== 200 && got.status !== 404) throw new Error(`GET lease: ${got.status} ${got.body.slice(0, 200)}`);
      const lease = got.status === 200 ? leaseRecord(JSON.parse(got.body) as unknown) : undefined;
      this.last = lease;
      const { decision, observation } = decideLease(lease, this.observation, this.o.identity, this.now());
      this.observation = observation;
      if (decision.kind === 'follow') {
        this.setLeading(false);
        return;
      }
      const body = leaseBody(this.o.lease, lease, this.o.identity, Math.round(this.durationMs / 1000), this.now());
      const wrote = decision.kind === 'create'
        ? await this.o.api.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${this.o.lease.namespace}/leases`, body)
        : await this.o.api.request('PUT', this.path(), body);
      if (wrote.status === 200 || wrote.status === 201) {
        this.last = leaseRecord(JSON.parse(wrote.body) as unknown);
        this.lastRenew = this.now();
        this.setLeading(true);
        return;
      }
      // 409: another replica wrote it first; it leads, we follow.
      if (wrote.status !== 409) throw new Error(`${decision.kind} lease: ${wrote.status} ${wrote.body.slice(0, 200)}`);
      this.setLeading(false);
    } catch (error) {
      this.o.logger.warn('leader election: the lease cannot be read or written', { lease: this.o.lease.name, error });
      if (!this.isLeading()) this.setLeading(false);
    }
  }

  private setLeading(leading: boolean): void {
    const was = this.leadingSince !== undefined;
    if (leading && !was) this.leadingSince = this.now();
    if (!leading) this.leadingSince = undefined;
    if (leading !== was) {
      this.o.logger.info(leading ? 'leader election: leading' : 'leader election: not leading', { lease: this.o.lease.name, identity: this.o.identity, holder: this.last?.holder });
      this.o.onChange?.(leading);
    }
  }
}
