/**
 * The HTTPS edge of the webhooks: TLS with a certificate that can be replaced while serving
 * (`setCertificate`, for rotation: new connections get the new one, nothing restarts), a cap on
 * the body, deadlines on headers and on the whole request, and every answer a JSON body (an
 * AdmissionReview, or a Status saying what is wrong). The decisions are handler.ts's.
 */
import { createSecureContext } from 'node:tls';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatHostPort } from '../../ip/index.js';
import { silentLogger, type Logger } from '../../telemetry/index.js';
import { admit, errorStatus, isAdmissionPath, type HandlerResult, type WebhookDeps } from './handler.js';
import { PATHS } from './names.js';

/** A PEM certificate chain (leaf first) and its key. */
export interface ServingCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * The largest body read. An UPDATE's AdmissionReview carries the object twice (object and
 * oldObject), and the API server takes objects of up to 3 MiB (etcd stores 1.5 MiB), so 8 MiB
 * holds every legitimate review with room for its envelope.
 */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** The longest webhook timeout the configurations give (deploy/webhooks): past it the API server has given up anyway. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface WebhookServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly certificate: ServingCertificate;
  readonly deps: WebhookDeps;
  readonly maxBodyBytes?: number;
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
  /** The clock for durations in the log (default `performance.now`). */
  readonly clock?: () => number;
}

export interface WebhookServer {
  readonly port: number;
  readonly url: string;
  /**
   * Serves `certificate` to new connections; a connection made before answers its next request
   * with `Connection: close`, so its client comes back with a new handshake. Throws (and keeps
   * the old one) when it is unusable.
   */
  setCertificate(certificate: ServingCertificate): void;
  close(): Promise<void>;
}

type BodyResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly result: { status: number; body: unknown } };

function readBody(req: IncomingMessage, max: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    return Promise.resolve({ ok: false, result: errorStatus(413, 'RequestEntityTooLarge', `the body is ${declared} bytes; the limit is ${max}`) });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      resolve(r);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        finish({ ok: false, result: errorStatus(413, 'RequestEntityTooLarge', `the body is over the limit of ${max} bytes`) });
        req.pause();
        return;
      }
      if (!done) chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', (error) => finish({ ok: false, result: errorStatus(400, 'BadRequest', `reading the body failed: ${error.message}`) }));
    req.on('close', () => finish({ ok: false, result: errorStatus(408, 'Timeout', 'the connection closed before the body was complete') }));
  });
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
  res.end(text);
}

interface Answer {
  readonly result: { readonly status: number; readonly body: unknown };
  /** Close the connection after answering (its body was not read, or not all of it). */
  readonly close?: boolean;
  readonly review?: { readonly uid: string; readonly allowed: boolean };
}

async function answer(req: IncomingMessage, path: string, o: WebhookServerOptions): Promise<Answer> {
  if (path === PATHS.healthz && (req.method === 'GET' || req.method === 'HEAD')) return { result: { status: 200, body: { status: 'ok' } } };
  if (!isAdmissionPath(path)) return { result: errorStatus(404, 'NotFound', `no webhook at ${path}`) };
  if (req.method !== 'POST') return { result: errorStatus(405, 'MethodNotAllowed', `${req.method ?? '?'} ${path}: an AdmissionReview is POSTed`) };
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { result: errorStatus(415, 'UnsupportedMediaType', `content-type ${JSON.stringify(req.headers['content-type'] ?? '')}: expected application/json`), close: true };
  const body = await readBody(req, o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (!body.ok) return { result: body.result, close: true };
  let decoded: unknown;
  try {
    decoded = JSON.parse(body.text);
  } catch (error) {
    return { result: errorStatus(400, 'BadRequest', `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`) };
  }
  const result: HandlerResult = await admit(path, decoded, o.deps);
  return 'response' in result.body ? { result, review: { uid: result.body.response.uid, allowed: result.body.response.allowed } } : { result };
}

/** Starts the HTTPS server; resolves once it listens. */
export async function startWebhookServer(o: WebhookServerOptions): Promise<WebhookServer> {
  const logger = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => performance.now());
  const timeout = o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Which certificate each connection was handshaken with: closing idle connections on rotation
  // would race the API server's next request on them (a broken pipe, a failed admission).
  let certificateGeneration = 0;
  const handshakenWith = new WeakMap<object, number>();
  const server = https.createServer({ cert: o.certificate.cert, key: o.certificate.key, requestTimeout: timeout, headersTimeout: Math.min(timeout, 5000), connectionsCheckingInterval: Math.min(1000, timeout / 4) }, (req, res) => {
    const started = clock();
    const path = new URL(req.url ?? '/', 'https://webhook').pathname;
    answer(req, path, o)
      .then(({ result, close: mustClose, review }) => {
        const close = mustClose === true || handshakenWith.get(req.socket) !== certificateGeneration;
        send(res, result.status, result.body, close);
        logger.debug('admission', { path, status: result.status, ms: Math.round((clock() - started) * 10) / 10, ...review });
        if (mustClose) res.once('finish', () => req.socket.destroy());
      })
      .catch((error: unknown) => {
        logger.error('admission handler failed', { path, error: error instanceof Error ? error.message : String(error) });
        send(res, 500, errorStatus(500, 'InternalError', `the webhook failed: ${error instanceof Error ? error.message : String(error)}`).body, true);
      });
  });
  server.on('secureConnection', (socket) => handshakenWith.set(socket, certificateGeneration));
  server.on('tlsClientError', (error) => logger.debug('tls handshake failed', { error: error.message }));
  server.on('clientError', (error, socket) => {
    logger.debug('bad request', { error: error.message });
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `https://${formatHostPort(o.host, port)}`,
    setCertificate(certificate) {
      createSecureContext({ cert: certificate.cert, key: certificate.key }); // throws on a broken pair, before anything changes
      server.setSecureContext({ cert: certificate.cert, key: certificate.key });
      certificateGeneration += 1;
      logger.info('serving certificate replaced');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
