/**
 * Policy-driven TLS on the real data path, inbound (eBPF redirection, real Envoy fed by `sluice
 * serve --secrets` over ADS and SDS): termination (the right chain for the SNI, a wrong or no SNI
 * refused, a required client certificate enforced, HTTP rules on the decrypted requests, a
 * `ca.crt` key in the termination secret harmless, the same over IPv6, a request for another
 * :authority than the SNI denied, an SNI wildcard standing for one label), TLS originated to a
 * workload that speaks TLS itself, rotation of the termination certificate over SDS while a
 * connection stays open, with no listener change, and a secret in force deleted. The egress half
 * (interception, injection, origination, upstream verification) is envoy-tls-egress.test.ts.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { EnvoyBed, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { describeDataPath } from '../support/envoy.js';
import { inForce, l7Policy } from '../support/envoy-cases.js';
import { eventually } from '../support/poll.js';
import { run } from '../support/run-placed.js';
import { caPem, leaf, newCa, writeSecret, type Pem } from '../support/tls.js';

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080, 8090, 8070] };

const INGRESS = l7Policy('orders-tls', `  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: 8080 } ]
          serverNames: [ orders.shop ]
          terminatingTLS: { secret: { name: orders-tls } }
          rules: { http: [ { method: GET, path: { prefix: /public/ } } ] }
        - ports: [ { port: 8090 } ]
          terminatingTLS: { secret: { name: orders-tls }, clientCA: { secret: { name: clients-ca } } }
        - ports: [ { port: 7443 } ]
          originatingTLS: { trustedCA: { secret: { name: orders-ca } }, serverName: orders.shop }
        - ports: [ { port: 8070 } ]
          serverNames: [ "*.orders.shop" ]
          terminatingTLS: { secret: { name: wildcard-tls } }
`);

/** A workload that speaks TLS itself (inbound origination's peer): HTTPS on HOST:PORT, answering with what it saw. */
const TLS_WORKLOAD = `import https from 'node:https';
import fs from 'node:fs';
const [host, port, cert, key] = process.argv.slice(2);
https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ tls: true, path: req.url, sni: req.socket.servername, viaEnvoy: req.headers['x-request-id'] !== undefined }));
}).listen(Number(port), host, () => console.log(JSON.stringify({ event: 'listening' })));
`;

describeDataPath('policy-driven TLS on the real data path, inbound: termination, origination to a TLS workload, rotation, a deleted secret', () => {
  const bed = new EnvoyBed();
  const secrets = path.join(bed.dir, 'secrets');
  let orders: { v4: string; v6: string };
  let files: { ordersCa: string; client: string; clientKey: string; foreignClient: string; foreignClientKey: string };
  let ordersPem: Pem;
  let ordersCaPem: string;

  beforeAll(async () => {
    await bed.setUp();
    fs.mkdirSync(secrets);
    const [ordersCa, clientsCa, upstreamCa] = await Promise.all(['orders CA', 'clients CA', 'upstream CA'].map(newCa));
    ordersPem = await leaf(ordersCa!, { dns: ['orders.shop'] });
    ordersCaPem = caPem(ordersCa!);
    // A client certificate from a CA the port does not trust (the egress half's client certificate).
    const webClient = await leaf(upstreamCa!, { dns: ['web.shop'], usages: ['client'] });
    const someClient = await leaf(clientsCa!, { dns: ['client.shop'], usages: ['client'] });
    // The termination secret carries a ca.crt too: it must not make termination ask for client certificates.
    writeSecret(secrets, 'shop/orders-tls', { 'tls.crt': ordersPem.cert, 'tls.key': ordersPem.key, 'ca.crt': ordersPem.ca });
    writeSecret(secrets, 'shop/clients-ca', { 'ca.crt': caPem(clientsCa!) });
    const wildcard = await leaf(ordersCa!, { dns: ['*.orders.shop'] });
    writeSecret(secrets, 'shop/wildcard-tls', { 'tls.crt': wildcard.cert, 'tls.key': wildcard.key });
    writeSecret(secrets, 'shop/orders-ca', { 'ca.crt': ordersCaPem });
    const f = (name: string, text: string) => {
      const file = path.join(bed.dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    files = { ordersCa: f('orders-ca.pem', ordersCaPem), client: f('client.pem', someClient.cert), clientKey: f('client.key', someClient.key), foreignClient: f('foreign-client.pem', webClient.cert), foreignClientKey: f('foreign-client.key', webClient.key) };

    const o = bed.addWorkload(ORDERS);
    orders = o;
    bed.writeInventory([o.inventory]);
    bed.writePolicy('orders.yaml', INGRESS);
    await bed.startWorkload(ORDERS);
    const tlsWorkload = bed.spawn('orders TLS server', { cgroup: o.cgroup, netns: bed.netns }, [process.execPath, f('tls-workload.mjs', TLS_WORKLOAD), o.v4, '7443', f('orders.crt', ordersPem.cert), f('orders.key', ordersPem.key)]);
    await tlsWorkload.waitFor((l) => l.event === 'listening', 'the TLS workload to listen');
    await bed.startServe(['--secrets', secrets]);
    await bed.startEnvoy();
    await inForce(bed);
  }, 120_000);

  afterAll(async () => {
    await bed.cleanup();
  }, 60_000);

  const inbound = (args: readonly string[]) => run({}, ['curl', '-sS', '--max-time', '10', ...args]);
  const ordersUrl = (port: number, p: string) => ['--resolve', `orders.shop:${port}:${orders.v4}`, `https://orders.shop:${port}${p}`];

  it('inbound termination: openssl s_client with the SNI gets the secret\'s chain and verifies it; curl --cacert gets an allowed path (HTTP/1.1 and HTTP/2), a denied one is 403', async () => {
    const s = await run({}, ['sh', '-c', `openssl s_client -connect ${orders.v4}:8080 -servername orders.shop -CAfile ${files.ordersCa} -verify_return_error </dev/null`]);
    expect(s.out).toContain('Verify return code: 0 (ok)');
    expect(s.out).toMatch(/subject=.*CN\s*=\s*orders\.shop/);
    const allowed = await inbound(['--cacert', files.ordersCa, '-w', '\n%{http_code}', ...ordersUrl(8080, '/public/a')]);
    expect(allowed.out.trim().split('\n').pop()).toBe('200');
    const body = JSON.parse(allowed.out.trim().split('\n')[0] ?? '{}') as { workload: string; path: string; viaEnvoy: boolean };
    expect(body).toMatchObject({ workload: 'orders', path: '/public/a', viaEnvoy: true });
    const denied = await inbound(['--cacert', files.ordersCa, '-o', '/dev/null', '-w', '%{http_code}', ...ordersUrl(8080, '/private/a')]);
    expect(denied.out).toBe('403');
    // HTTP/2 negotiated by ALPN on the terminated connection.
    const h2 = await inbound(['--http2', '--cacert', files.ordersCa, '-o', '/dev/null', '-w', '%{http_version} %{http_code}', ...ordersUrl(8080, '/public/h2')]);
    expect(h2.out).toBe('2 200');
  });

  it('an SNI wildcard is one label: a.orders.shop is terminated and routed; x.y.orders.shop, as the server name or as :authority, is denied (403) and never reaches the workload', async () => {
    // -k below: a client that does not check the name (the certificate covers *.orders.shop only), so the proxy's own check is what is tested.
    const get = (sni: string, host?: string, trust: readonly string[] = ['-k']) => inbound([...trust, ...(host ? ['-H', `Host: ${host}`] : []), '-w', '\n%{http_code}', '--resolve', `${sni}:8070:${orders.v4}`, `https://${sni}:8070/wild`]);
    const code = (r: { out: string }) => r.out.trim().split('\n').pop();
    const one = await get('a.orders.shop', undefined, ['--cacert', files.ordersCa]);
    expect(code(one)).toBe('200');
    expect(JSON.parse(one.out.trim().split('\n')[0] ?? '{}')).toMatchObject({ workload: 'orders', path: '/wild', viaEnvoy: true });
    expect(code(await get('a.orders.shop', 'A.Orders.Shop:8070'))).toBe('200');
    const envoy = bed.envoy!;
    // Envoy's count of what the sluice.server_names filter denied (policy-compiler/translate/features/server-name-depth.ts).
    const guardDenied = async () => [...(await envoy.stats('^http\\.inbound_8070_.*\\.rbac\\.sluice_server_names_\\.denied$'))].reduce((n, [, v]) => n + v, 0);
    const before = await guardDenied();
    for (const [sni, host] of [['x.y.orders.shop', undefined], ['a.orders.shop', 'x.y.orders.shop'], ['a.orders.shop', 'x.y.orders.shop:8070']] as const) {
      const r = await get(sni, host);
      expect({ sni, host, code: code(r) }).toEqual({ sni, host, code: '403' });
      expect(r.out).not.toContain('"workload"');
    }
    expect(await guardDenied()).toBe(before + 3);
    // The bare name is not in the list: no chain, the connection is closed.
    expect((await get('orders.shop')).status).not.toBe(0);
  });

  it('inbound over IPv6: the same termination and rules for the workload\'s v6 address', async () => {
    const v6 = (p: string) => ['--cacert', files.ordersCa, '--resolve', `orders.shop:8080:[${orders.v6}]`, `https://orders.shop:8080${p}`];
    const allowed = await inbound(['-w', '\n%{http_code}', ...v6('/public/v6')]);
    expect(allowed.out.trim().split('\n').pop()).toBe('200');
    expect(JSON.parse(allowed.out.trim().split('\n')[0] ?? '{}')).toMatchObject({ workload: 'orders', path: '/public/v6', viaEnvoy: true });
    const denied = await inbound(['-o', '/dev/null', '-w', '%{http_code}', ...v6('/private/v6')]);
    expect(denied.out).toBe('403');
  });

  it('inbound: an allowed SNI carrying a request for another :authority (domain fronting) is denied (403) and never reaches the workload', async () => {
    // No virtual host has the name, so the route's rules (RBAC per route, over RDS) do not apply and the
    // listener-level RBAC, which allows nothing, answers.
    const fronted = await inbound(['--cacert', files.ordersCa, '-H', 'Host: other.shop', '-w', '\n%{http_code}', ...ordersUrl(8080, '/public/fronted')]);
    expect(fronted.out.trim().split('\n').pop()).toBe('403');
    expect(fronted.out).not.toContain('"workload"');
    // The same request with the name the SNI carries passes, on the same connection settings.
    const honest = await inbound(['--cacert', files.ordersCa, '-H', 'Host: orders.shop', '-o', '/dev/null', '-w', '%{http_code}', ...ordersUrl(8080, '/public/fronted')]);
    expect(honest.out).toBe('200');
  });

  it('inbound: a wrong SNI and plain HTTP are refused (no chain matches: the connection is closed)', async () => {
    const wrong = await run({}, ['sh', '-c', `openssl s_client -connect ${orders.v4}:8080 -servername other.shop </dev/null`]);
    expect(wrong.out).not.toContain('BEGIN CERTIFICATE');
    expect(wrong.out + wrong.err).toMatch(/no peer certificate available|errno|unexpected eof|Connection reset|handshake failure/i);
    const plain = await inbound(['-o', '/dev/null', '-w', '%{http_code}', `http://${orders.v4}:8080/public/a`]);
    expect(plain.status).not.toBe(0);
  });

  it('inbound: a required client certificate is enforced (without one, or with one from another CA, the handshake fails; with one from the CA the request reaches the workload)', async () => {
    const without = await inbound(['--cacert', files.ordersCa, '-o', '/dev/null', '-w', '%{http_code}', ...ordersUrl(8090, '/x')]);
    expect(without.status).not.toBe(0);
    const foreign = await inbound(['--cacert', files.ordersCa, '--cert', files.foreignClient, '--key', files.foreignClientKey, '-o', '/dev/null', '-w', '%{http_code}', ...ordersUrl(8090, '/x')]);
    expect(foreign.status).not.toBe(0);
    expect(foreign.out).not.toBe('200');
    const withCert = await inbound(['--cacert', files.ordersCa, '--cert', files.client, '--key', files.clientKey, '-o', '/dev/null', '-w', '%{http_code}', ...ordersUrl(8090, '/x')]);
    expect(withCert.out).toBe('200');
  });

  it('inbound origination: a plain-HTTP client reaches a workload that speaks TLS itself, verified against its CA', async () => {
    const r = await inbound(['-w', '\n%{http_code}', `http://${orders.v4}:7443/inside`]);
    expect(r.out.trim().split('\n').pop()).toBe('200');
    expect(JSON.parse(r.out.trim().split('\n')[0] ?? '{}')).toEqual({ tls: true, path: '/inside', sni: 'orders.shop', viaEnvoy: true });
  });

  it('rotation: a new termination certificate reaches Envoy over SDS with no listener change; an open connection keeps working, new handshakes get the new certificate', async () => {
    const envoy = bed.envoy!;
    const listenerChanges = async () => (await envoy.stat('listener_manager.listener_modified')) + (await envoy.stat('listener_manager.listener_in_place_updated'));
    const changesBefore = await listenerChanges();
    const held = new https.Agent({ keepAlive: true, maxSockets: 1, ca: ordersCaPem });
    const get = (agent: https.Agent) => new Promise<{ status: number; serial: string; socket: unknown }>((resolve, reject) => {
      const req = https.request({ host: orders.v4, port: 8080, servername: 'orders.shop', path: '/public/held', headers: { host: 'orders.shop' }, agent }, (res) => {
        const socket = res.socket as TLSSocket;
        const serial = socket.getPeerCertificate().serialNumber.toLowerCase();
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, serial, socket }));
      });
      req.on('error', reject);
      req.end();
    });
    const first = await get(held);
    expect(first).toMatchObject({ status: 200, serial: ordersPem.serial });
    const renewed = await leaf(await newCaFor(), { dns: ['orders.shop'] });
    writeSecret(secrets, 'shop/orders-tls', { 'tls.crt': renewed.cert, 'tls.key': renewed.key });
    await eventually(async () => {
      const fresh = new https.Agent({ keepAlive: false, ca: renewed.ca });
      try {
        return (await get(fresh)).serial === renewed.serial;
      } catch {
        return false;
      }
    }, 'new handshakes to get the renewed certificate', 30_000, 200);
    const again = await get(held);
    expect(again.status).toBe(200);
    expect(again.socket).toBe(first.socket);
    expect(again.serial).toBe(ordersPem.serial);
    expect(await listenerChanges()).toBe(changesBefore);
    held.destroy();
  }, 60_000);

  it('a secret in force deleted: the port it served refuses connections and /status says Degraded with the field path, never Enforced', async () => {
    // -k: the rotation above left orders.shop with a certificate from another CA; this is about the client CA.
    const withCert = () => inbound(['-k', '--cert', files.client, '--key', files.clientKey, '-o', '/dev/null', '-w', '%{http_code}', ...ordersUrl(8090, '/after-delete')]);
    expect((await withCert()).out).toBe('200');
    fs.rmSync(path.join(secrets, 'shop', 'clients-ca'), { recursive: true });
    const status = async () => ((await bed.serveAdmin('/status')) as { policies: Array<{ key: string; state: string; message: string }> }).policies.find((p) => p.key === 'shop/orders-tls');
    const degraded = await eventually(async () => {
      const s = await status();
      return s?.state === 'Degraded' ? s : undefined;
    }, 'orders-tls Degraded', 20_000);
    expect(degraded.message).toContain('spec.ingress[0].toPorts[1].terminatingTLS.clientCA');
    await eventually(async () => (await withCert()).status !== 0, 'port 8090 to refuse connections', 20_000, 200);
    // The other ports of the policy are served as before.
    const allowed = await inbound(['-k', '-o', '/dev/null', '-w', '%{http_code}', ...ordersUrl(8080, '/public/still')]);
    expect(allowed.out).toBe('200');
  }, 60_000);
});

/** The renewed certificate comes from a fresh CA (a replaced issuer), so the test tells the versions apart by trust as well as by serial. */
function newCaFor() {
  return newCa('orders CA 2');
}
