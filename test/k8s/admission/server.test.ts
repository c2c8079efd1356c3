/**
 * The HTTPS edge under hostile input: malformed JSON, oversized bodies (declared or streamed),
 * the wrong content type and method, a v1beta1 review, a slow client; a 10,000-rule policy and a
 * burst of concurrent reviews. Every answer is a precise Status or AdmissionReview, within the
 * webhook timeout (measured), and the server keeps serving afterwards.
 */
import https from 'node:https';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_BODY_BYTES, PATHS, startWebhookServer, type ServingCertificate, type WebhookServer } from '../../../k8s/admission/index.js';
import { fixedView, ordersSpec, ORDERS, policyObject, reviewOf } from './fixtures.js';
import { post, servedSerial, servingCerts } from './https.js';

const TIMEOUT_MS = 10_000; // the configurations' timeoutSeconds for L7Policy

describe('the webhook HTTPS server', () => {
  let server: WebhookServer;
  let ca: string;
  let serial: string;
  let original: ServingCertificate;
  const timings: string[] = [];
  const call = async (path: string, body: unknown, headers?: Record<string, string>, method?: string) => {
    const r = await post(server.url, path, body, { ca, ...(headers ? { headers } : {}), ...(method ? { method } : {}) });
    timings.push(`${path} ${r.status} ${r.ms.toFixed(1)} ms`);
    expect(r.ms).toBeLessThan(TIMEOUT_MS);
    return r;
  };

  beforeAll(async () => {
    const certs = await servingCerts();
    ca = certs.bundlePem;
    original = certs.certificate;
    serial = certs.leafCertificate.serialNumber.toLowerCase();
    server = await startWebhookServer({ host: '127.0.0.1', port: 0, certificate: certs.certificate, deps: { policies: { view: fixedView() }, rollout: { now: () => Date.now() } }, requestTimeoutMs: 3000 });
  });
  afterAll(async () => {
    console.log(`answers over HTTPS:\n  ${timings.join('\n  ')}`);
    await server?.close();
  });

  it('answers a valid review with an AdmissionReview, and /healthz', async () => {
    const r = await call(PATHS.validatePolicy, reviewOf(policyObject('ok', ordersSpec([{ method: 'GET' }]))));
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { allowed: true } });
    expect((await call(PATHS.healthz, undefined, undefined, 'GET')).json()).toEqual({ status: 'ok' });
  });

  it('says what is wrong with malformed JSON, the content type, the method, the path and the version', async () => {
    const malformed = await call(PATHS.validatePolicy, '{"apiVersion": "admission.k8s.io/v1", "kind": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest', message: expect.stringMatching(/^the body is not JSON: /) as unknown });
    const yaml = await call(PATHS.validatePolicy, 'kind: AdmissionReview', { 'content-type': 'application/yaml' });
    expect(yaml.json()).toMatchObject({ code: 415, message: 'content-type "application/yaml": expected application/json' });
    expect((await call(PATHS.validatePolicy, undefined, undefined, 'GET')).json()).toMatchObject({ code: 405, message: 'GET /validate/l7policies: an AdmissionReview is POSTed' });
    expect((await call('/mutate/deployments', {})).status).toBe(404);
    const beta = await call(PATHS.podsSidecar, { ...reviewOf(policyObject('p', {})), apiVersion: 'admission.k8s.io/v1beta1' });
    expect(beta.status).toBe(400);
    expect((beta.json() as { message: string }).message).toContain('v1beta1 is not served');
    // The API server sends its timeout as a query parameter; the path is what routes.
    expect((await call(`${PATHS.validatePolicy}?timeout=10s`, reviewOf(policyObject('q', ordersSpec([{ method: 'GET' }]))))).status).toBe(200);
  });

  it('refuses an oversized body by its declared length without reading it, and a streamed one at the cap', async () => {
    const declared = await call(PATHS.validatePolicy, 'x', { 'content-length': String(DEFAULT_MAX_BODY_BYTES + 1) });
    expect(declared.json()).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge', message: `the body is ${DEFAULT_MAX_BODY_BYTES + 1} bytes; the limit is ${DEFAULT_MAX_BODY_BYTES}` });
    // Streamed: the server answers at the cap and closes the connection without reading the rest;
    // a client still writing may see the reset before the answer. Either way: quick, and no hang.
    const started = performance.now();
    const streamed = await post(server.url, PATHS.validatePolicy, `{"pad":"${'a'.repeat(2 * DEFAULT_MAX_BODY_BYTES)}"}`, { ca, headers: { 'transfer-encoding': 'chunked' } }).then(
      (r) => r.json(),
      (e: unknown) => (e as NodeJS.ErrnoException).code,
    );
    timings.push(`streamed 16 MiB body: ${JSON.stringify(streamed).slice(0, 60)} after ${(performance.now() - started).toFixed(0)} ms`);
    if (typeof streamed === 'string') expect(['ECONNRESET', 'EPIPE']).toContain(streamed);
    else expect(streamed).toMatchObject({ code: 413, message: `the body is over the limit of ${DEFAULT_MAX_BODY_BYTES} bytes` });
    expect((await call(PATHS.healthz, undefined, undefined, 'GET')).status).toBe(200);
  });

  it('drops a client that sends its body too slowly, at the request deadline', async () => {
    const started = performance.now();
    const closed = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca, servername: 'localhost' }, () => {
        socket.write(`POST ${PATHS.validatePolicy} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"a":`);
      });
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
    });
    const ms = performance.now() - started;
    expect(closed === '' || closed.startsWith('HTTP/1.1 408')).toBe(true);
    expect(ms).toBeGreaterThan(2500);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  }, 20_000);

  it('answers a 10,000-rule policy, and 40 concurrent reviews, within the timeout', async () => {
    const toPorts = Array.from({ length: 10 }, (_, p) => ({ ports: [{ port: 8080 }], rules: { http: Array.from({ length: 1000 }, (_, i) => ({ method: 'GET', path: { prefix: `/v1/r${p}-${i}` } })) } }));
    const big = await call(PATHS.validatePolicy, reviewOf(policyObject('big', { selector: ORDERS, ingress: [{ toPorts }] })));
    expect(big.json()).toMatchObject({ response: { allowed: true } });
    const started = performance.now();
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => call(PATHS.validatePolicy, reviewOf(policyObject(`p${i}`, ordersSpec([{ method: 'GET', path: { prefix: `/p${i}` } }]))))));
    expect(all.every((r) => r.status === 200)).toBe(true);
    timings.push(`40 concurrent reviews: ${(performance.now() - started).toFixed(0)} ms in all`);
  }, 60_000);

  it('on a new certificate, answers a kept-alive connection once more with Connection: close, and the next request handshakes anew', async () => {
    const other = await servingCerts();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: `${ca}${other.bundlePem}` });
    const get = () =>
      new Promise<{ status: number; connection: string | undefined; serial: string }>((resolve, reject) => {
        const req = https.get(new URL(PATHS.healthz, server.url), { agent, servername: 'localhost' }, (res) => {
          const served = (res.socket as tls.TLSSocket).getPeerCertificate().serialNumber.toLowerCase();
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, serial: served }));
        });
        req.on('error', reject);
      });
    try {
      expect(await get()).toEqual({ status: 200, connection: 'keep-alive', serial });
      server.setCertificate(other.certificate);
      // The request on the old connection is answered (no broken pipe for a client that already sent it).
      expect(await get()).toEqual({ status: 200, connection: 'close', serial });
      const next = other.leafCertificate.serialNumber.toLowerCase();
      expect(await get()).toEqual({ status: 200, connection: 'keep-alive', serial: next });
    } finally {
      agent.destroy();
      server.setCertificate(original);
    }
  });

  it('refuses a certificate that does not fit its key, and keeps serving the one it had', async () => {
    const other = await servingCerts();
    expect(() => server.setCertificate({ cert: other.certificate.cert, key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' })).toThrow();
    const mixed = await servingCerts();
    expect(() => server.setCertificate({ cert: other.certificate.cert, key: mixed.certificate.key })).toThrow();
    expect(await servedSerial(server.port, ca)).toBe(serial);
  });
});
