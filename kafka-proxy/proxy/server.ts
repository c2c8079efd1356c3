/**
 * The listening side of the proxy. Two modes:
 * - fixed upstream: clients bootstrap at `listen`, which relays to `upstream`. Brokers advertised
 *   in Metadata, FindCoordinator and DescribeCluster answers are rewritten to proxy listeners:
 *   the bootstrap broker to `listen`, every other broker to a listener of its own, opened on
 *   first sight on `advertisedHost` (one listener per broker), so clients of a multi-broker
 *   cluster keep talking through the proxy. All of them enforce the policy of `upstream`.
 * - transparent: connections arrive redirected; the upstream is each connection's original
 *   destination (an injected function: the eBPF helper, or a fixed map in tests), and its
 *   policy is the one covering that destination. No address is rewritten.
 * Connections are refused until the first rules have been applied (fail closed).
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { formatHostPort, isIpAddress, isUnspecified } from '../../ip/index.js';
import type { Logger } from '../../telemetry/index.js';
import type { KafkaPolicy } from '../policy/resource.js';
import { UNCOVERED_DENY, type PolicyStore } from '../policy/store.js';
import { TopicIds } from '../policy/topic-ids.js';
import { Connection, type FlowLog, type KafkaFlowEvent } from './connection.js';
import type { ProxyMetrics } from './metrics.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Finds where a redirected connection was headed. Undefined: unknown, the connection is closed. */
export type OriginalDestination = (socket: net.Socket) => HostPort | undefined;

export interface KafkaProxyOptions {
  readonly listen: HostPort;
  /** Fixed-upstream mode when set; transparent mode (needs `originalDestination`) otherwise. */
  readonly upstream?: HostPort;
  readonly originalDestination?: OriginalDestination;
  /** The host written into rewritten broker addresses (default: the listen host, or 127.0.0.1 for a wildcard). */
  readonly advertisedHost?: string;
  readonly store: PolicyStore;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly maxFrameBytes?: number;
  readonly maxInFlight?: number;
  readonly frameTimeoutMs?: number;
  readonly flowLog?: FlowLog;
  readonly flowSink?: (event: KafkaFlowEvent) => void;
  /** A broker no policy covers: `deny` everything (default: an enforcer fails closed) or `allow` it. */
  readonly uncovered?: 'deny' | 'allow';
}

export const DEFAULTS = { maxFrameBytes: 100 * 1024 * 1024, maxInFlight: 256, frameTimeoutMs: 30_000, maxBrokers: 256 } as const;

export class KafkaProxy {
  private readonly servers = new Map<string, net.Server>();
  /** Upstream broker "host:port" → the proxy listener standing in for it. */
  private readonly brokerListeners = new Map<string, Promise<HostPort>>();
  private readonly connections = new Set<Connection>();
  /** Topic ids learned from Metadata answers, shared by every connection (ids are unique UUIDs). */
  private readonly topicIds = new TopicIds();
  private advertised: string;
  /** Fixed-upstream mode: the upstream's addresses (its host resolved), by which policies are looked up. */
  private upstreamAddresses: readonly string[] = [];

  constructor(private readonly o: KafkaProxyOptions) {
    if (!o.upstream && !o.originalDestination) throw new Error('kafka proxy: transparent mode needs an originalDestination function');
    this.advertised = o.advertisedHost ?? (isUnspecified(o.listen.host) ? '127.0.0.1' : o.listen.host);
  }

  /** Starts the main listener; resolves with its bound address. */
  async start(): Promise<HostPort> {
    if (this.o.upstream) {
      // Policies name brokers by IP: a host name would match none of them and leave the port uncovered.
      const { host } = this.o.upstream;
      this.upstreamAddresses = isIpAddress(host) !== undefined ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    }
    const bound = await this.listen(this.o.listen, this.o.upstream);
    if (this.o.upstream) this.brokerListeners.set(key(this.o.upstream), Promise.resolve({ host: this.advertised, port: bound.port }));
    return bound;
  }

  /** Every listener's address, main first. */
  addresses(): HostPort[] {
    return [...this.servers.values()].map((s) => {
      const a = s.address() as net.AddressInfo;
      return { host: a.address, port: a.port };
    });
  }

  get activeConnections(): number {
    return this.connections.size;
  }

  private listen(at: HostPort, upstream: HostPort | undefined): Promise<HostPort> {
    const server = net.createServer({ pauseOnConnect: false, noDelay: true }, (socket) => this.accept(socket, upstream));
    server.on('error', (error) => this.o.logger.error('kafka listener error', { error }));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.off('error', reject);
        const a = server.address() as net.AddressInfo;
        this.servers.set(formatHostPort(a.address, a.port), server);
        this.o.logger.info('kafka proxy listening', { address: formatHostPort(a.address, a.port), upstream: upstream ? key(upstream) : 'transparent' });
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  private accept(client: net.Socket, fixed: HostPort | undefined): void {
    client.setNoDelay(true);
    client.on('error', () => undefined);
    if (!this.o.store.ready) {
      this.o.metrics.closes.inc({ reason: 'no_rules_yet' });
      this.o.logger.warn('kafka connection refused: no rules applied yet', { client: client.remoteAddress });
      client.destroy();
      return;
    }
    let target = fixed;
    if (!target) {
      try {
        target = this.o.originalDestination?.(client);
      } catch (error) {
        this.o.logger.warn('original destination lookup failed', { client: client.remoteAddress, error });
      }
    }
    if (!target) {
      this.o.metrics.closes.inc({ reason: 'no_destination' });
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
    const { store } = this.o;
    const addresses = this.o.upstream ? this.upstreamAddresses : [target.host];
    const port = this.o.upstream ? this.o.upstream.port : target.port;
    const fallback = (this.o.uncovered ?? 'deny') === 'deny' ? UNCOVERED_DENY : undefined;
    const policy = (): KafkaPolicy | undefined => {
      for (const a of addresses) {
        const p = store.lookup(a, port);
        if (p) return p;
      }
      return fallback;
    };
    const connection = new Connection({
      client,
      upstream,
      broker: { address: addresses[0] ?? target.host, port },
      policy,
      store: this.o.store,
      logger: this.o.logger,
      metrics: this.o.metrics,
      maxFrameBytes: this.o.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
      maxInFlight: this.o.maxInFlight ?? DEFAULTS.maxInFlight,
      frameTimeoutMs: this.o.frameTimeoutMs ?? DEFAULTS.frameTimeoutMs,
      flowLog: this.o.flowLog ?? 'all',
      ...(this.o.flowSink ? { flowSink: this.o.flowSink } : {}),
      ...(this.o.upstream ? { rewriteBroker: (_id: number, host: string, port: number) => this.brokerAddress({ host, port }) } : {}),
      topicIds: this.topicIds,
      onClose: () => this.connections.delete(connection),
    });
    this.connections.add(connection);
  }

  /** The proxy address standing in for an upstream broker, opening a listener on first sight. */
  private brokerAddress(broker: HostPort): Promise<HostPort> {
    const k = key(broker);
    let found = this.brokerListeners.get(k);
    if (!found) {
      // A cluster has a bounded number of brokers; an upstream advertising endless ones is refused.
      if (this.brokerListeners.size >= DEFAULTS.maxBrokers) return Promise.reject(new Error(`more than ${DEFAULTS.maxBrokers} brokers advertised`));
      found = this.listen({ host: this.o.listen.host, port: 0 }, broker).then((bound) => ({ host: this.advertised, port: bound.port }));
      this.brokerListeners.set(k, found);
    }
    return found;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close('proxy stopping', 'shutdown');
    await Promise.all([...this.servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.clear();
  }
}

function key(hp: HostPort): string {
  return formatHostPort(hp.host, hp.port);
}
