/**
 * One request of the real-Envoy suites in any of the protocols sluice's policies speak: HTTP/1.1,
 * HTTP/2 (cleartext) or gRPC (`@grpc/grpc-js`, a generic client with identity serializers, as the
 * test workload serves it). The same `Call` is sent from the test's own namespace (ingress) or,
 * as a JSON line, by `client.ts --json` inside a workload's cgroup (egress). Failures are answers
 * too, never throws.
 */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import net from 'node:net';
import { http1, Http2Client, type Answer } from './request.js';

export type Protocol = 'http1' | 'http2' | 'grpc';

export interface Call {
  readonly protocol: Protocol;
  /** Where to: `http://HOST:PORT`, an IPv6 host in brackets. */
  readonly url: string;
  /** The request path (query string included); for gRPC `/package.Service/Method`. */
  readonly path: string;
  /** The HTTP method (HTTP only; gRPC is always POST). */
  readonly method?: string;
  /** The Host header (HTTP/1.1) or `:authority` (HTTP/2, gRPC); default the URL's host:port. */
  readonly authority?: string;
  /** Request headers, or the gRPC call's metadata. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The source address to bind (gRPC through a local relay that binds it). */
  readonly localAddress?: string;
  /** gRPC: a server-streaming call, read up to its first message and then cancelled. */
  readonly stream?: boolean;
}

export interface CallAnswer extends Answer {
  /** gRPC calls: the status code (0 OK, 7 PERMISSION_DENIED, ...) and its details. */
  readonly grpc?: { readonly code: number; readonly details: string };
}

const identity = (b: Buffer): Buffer => b;

function parse(b: Buffer | undefined): unknown {
  try {
    return JSON.parse(b?.toString() ?? '') as unknown;
  } catch {
    return b?.toString() ?? '';
  }
}

/** Sends calls, keeping one HTTP/1.1 keep-alive agent, HTTP/2 session and gRPC channel per target and source. */
export class Caller {
  private readonly agents = new Map<string, http.Agent>();
  private readonly sessions = new Map<string, Http2Client>();
  private readonly channels = new Map<string, Promise<grpc.Client>>();
  private readonly relays: net.Server[] = [];
  private readonly relayed = new Set<net.Socket>();

  async send(call: Call): Promise<CallAnswer> {
    const key = `${call.url} ${call.localAddress ?? ''} ${call.authority ?? ''}`;
    const base = new URL(call.url);
    const headers = { ...call.headers };
    switch (call.protocol) {
      case 'http1': {
        const agent = this.agents.get(key) ?? new http.Agent({ keepAlive: true, maxSockets: 1 });
        this.agents.set(key, agent);
        return http1(base, call.path, agent, { method: call.method ?? 'GET', headers: call.authority ? { ...headers, host: call.authority } : headers, ...source(call) });
      }
      case 'http2': {
        const session = this.sessions.get(key) ?? new Http2Client(base, source(call));
        this.sessions.set(key, session);
        return session.request(call.path, { method: call.method ?? 'GET', headers: call.authority ? { ...headers, ':authority': call.authority } : headers });
      }
      case 'grpc':
        return this.grpcCall(key, base, call);
    }
  }

  private async grpcCall(key: string, base: URL, call: Call): Promise<CallAnswer> {
    const channel = this.channels.get(key) ?? this.channel(base, call);
    this.channels.set(key, channel);
    const client = await channel;
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(call.headers ?? {})) metadata.set(k, v);
    const options = { deadline: Date.now() + 10_000 };
    const done = (error: grpc.ServiceError | null, body?: Buffer): CallAnswer => ({
      path: call.path,
      status: 0,
      body: parse(body),
      grpc: { code: error?.code ?? grpc.status.OK, details: error?.details ?? '' },
    });
    if (!call.stream) {
      return new Promise((resolve) => client.makeUnaryRequest(call.path, identity, identity, Buffer.alloc(0), metadata, options, (error, body) => resolve(done(error, body))));
    }
    return new Promise((resolve) => {
      const stream = client.makeServerStreamRequest(call.path, identity, identity, Buffer.alloc(0), metadata, options);
      stream.once('data', (body: Buffer) => {
        resolve(done(null, body));
        stream.cancel();
      });
      stream.on('error', (error: grpc.ServiceError) => resolve(done(error)));
    });
  }

  private async channel(base: URL, call: Call): Promise<grpc.Client> {
    const host = base.hostname.replace(/^\[|\]$/g, '');
    const authority = call.authority ?? base.host;
    if (!call.localAddress) {
      return new grpc.Client(`${host.includes(':') ? 'ipv6' : 'ipv4'}:${base.host}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': authority });
    }
    const port = await this.relay(host, Number(base.port), call.localAddress);
    return new grpc.Client(`ipv4:127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': authority });
  }

  /** A local TCP relay to `host:port` whose upstream connections bind `localAddress` (grpc-js cannot bind one). */
  private relay(host: string, port: number, localAddress: string): Promise<number> {
    const server = net.createServer((downstream) => {
      const upstream = net.connect({ host, port, localAddress });
      downstream.pipe(upstream).pipe(downstream);
      this.relayed.add(downstream).add(upstream);
      const end = () => {
        downstream.destroy();
        upstream.destroy();
        this.relayed.delete(downstream);
        this.relayed.delete(upstream);
      };
      downstream.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    this.relays.push(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    for (const s of this.sessions.values()) s.close();
    for (const c of this.channels.values()) void c.then((client) => client.close());
    for (const r of this.relays) r.close();
    for (const s of this.relayed) s.destroy();
    this.relayed.clear();
    this.agents.clear();
    this.sessions.clear();
    this.channels.clear();
    this.relays.length = 0;
  }
}

function source(call: Call): { localAddress?: string } {
  return call.localAddress ? { localAddress: call.localAddress } : {};
}
