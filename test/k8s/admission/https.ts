/** HTTPS helpers for the webhook tests: a CA and serving certificates from certs/, and a client that measures. */
import https from 'node:https';
import tls from 'node:tls';
import { createCa, defaultEnv, type Ca, type CertsEnv } from '../../../certs/index.js';
import { ServingCertificates, type RotationOptions, type ServingNames } from '../../../k8s/admission/index.js';

export const LOOPBACK: ServingNames = { dns: ['localhost'], ips: ['127.0.0.1'] };

export async function newCa(env: CertsEnv = defaultEnv(), name = 'sluice webhook test CA'): Promise<Ca> {
  const ca = await createCa({ commonName: name, days: 365 }, env);
  if (!ca.ok) throw new Error(JSON.stringify(ca.diagnostics));
  return ca.value;
}

export async function servingCerts(env: CertsEnv = defaultEnv(), names: ServingNames = LOOPBACK, ca?: Ca, options: RotationOptions = {}): Promise<ServingCertificates> {
  return ServingCertificates.create(ca ?? (await newCa(env)), names, env, options);
}

export interface Reply {
  readonly status: number;
  readonly text: string;
  readonly json: () => unknown;
  readonly ms: number;
}

/** POSTs `body` (a string as is, anything else as JSON) and measures until the whole answer is in. */
export function post(url: string, path: string, body: unknown, o: { ca: string; headers?: Record<string, string>; method?: string }): Promise<Reply> {
  const started = performance.now();
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, url), { method: o.method ?? 'POST', ca: o.ca, agent: false, headers: { 'content-type': 'application/json', ...o.headers } }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (out += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: out, json: () => JSON.parse(out) as unknown, ms: performance.now() - started }));
    });
    req.on('error', reject);
    if (text !== undefined) req.write(text);
    req.end();
  });
}

/** The certificate a new TLS connection is served (its serial), verified against `ca`. */
export function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial.toLowerCase());
    });
    socket.on('error', reject);
  });
}
