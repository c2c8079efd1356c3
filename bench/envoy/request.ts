/**
 * The HTTP requests the real-Envoy tests and benchmarks make, in-process (from the test's own
 * network namespace) or from `client.ts` inside a workload's cgroup: HTTP/1.1 on a new or a kept
 * connection, or HTTP/2 (cleartext) on one session. Failures are answers too (`error`), never throws.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

export interface Answer {
  readonly path: string;
  /** The HTTP status, or 0 when the request failed (`error` says why). */
  readonly status: number;
  readonly body: unknown;
  readonly error?: string;
  /** The client's local address and port (HTTP/1.1). */
  readonly local?: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** The source address to bind (the test's netns holds several: see `EnvoyBed.addHostAddress`). */
  readonly localAddress?: string;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One HTTP/1.1 request to `base` (http://host:port), on `agent`'s kept connections or on a new one (`agent: false`). */
export function http1(base: URL, path: string, agent: http.Agent | false, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const target = { host: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, path, method: options.method ?? 'GET', headers: options.headers, agent };
    const req = http.request(options.localAddress ? { ...target, localAddress: options.localAddress } : target, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ path, status: res.statusCode ?? 0, body: parse(body), local: `${res.socket?.localAddress}:${res.socket?.localPort}` }));
      res.on('error', (error) => resolve({ path, status: 0, body: '', error: error.message }));
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ path, status: 0, body: '', error: error.message }));
    req.end();
  });
}

/** An HTTP/2 cleartext session that re-connects when it was closed (from `localAddress` when given). */
export class Http2Client {
  private session: http2.ClientHttp2Session | undefined;

  constructor(
    private readonly base: URL,
    private readonly connection: { readonly localAddress?: string } = {},
  ) {}

  request(path: string, options: RequestOptions = {}): Promise<Answer> {
    if (!this.session || this.session.closed || this.session.destroyed) {
      const { localAddress } = this.connection;
      const host = this.base.hostname.replace(/^\[|\]$/g, '');
      this.session = localAddress
        ? http2.connect(this.base.origin, { createConnection: () => net.connect({ host, port: Number(this.base.port), localAddress }) })
        : http2.connect(this.base.origin);
      this.session.on('error', () => undefined);
    }
    const req = this.session.request({ ':method': options.method ?? 'GET', ':path': path, ...options.headers });
    return new Promise((resolve) => {
      let status = 0;
      let body = '';
      req.setEncoding('utf8');
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (d: string) => (body += d));
      req.on('end', () => resolve({ path, status, body: parse(body) }));
      req.on('error', (error) => resolve({ path, status: 0, body: '', error: error.message }));
      req.setTimeout(options.timeoutMs ?? 10_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
      req.end();
    });
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
