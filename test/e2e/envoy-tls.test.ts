/**
 * Policy-driven TLS on the real data path (eBPF redirection, real Envoy fed by `sluice serve
 * --secrets` over ADS and SDS): inbound termination (the right chain for the SNI, a wrong or no
 * SNI refused, a required client certificate enforced, HTTP rules on the decrypted requests, a
 * `ca.crt` key in the termination secret harmless, the same over IPv6, a request for another
 * :authority than the SNI denied, an SNI wildcard standing for one label), egress interception (terminated with a
 * certificate the workload trusts, rules applied, `Authorization` injected, TLS originated to the
 * real upstream and verified; the workload never holds the token, never sees it in an answer, and
 * Envoy's own dump shows it came over SDS and is inline in no Listener or Cluster), `injectHeaders`'
 * `when: mismatch` replacing a wrong value and `when: absent` keeping the workload's own, a forged
 * upstream certificate refused, one from the trusted CA for another name refused (SAN verification,
 * with a fixed serverName and from :authority), TLS originated for a plain-HTTP workload, mutual
 * TLS origination, and rotation of the termination certificate over SDS while a connection stays
 * open, with no listener change.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { EnvoyBed, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { saveCa } from '../../certs/index.js';
import { placed, type Placement } from '../../bench/redirect/sandbox.js';
import { describeDataPath } from '../support/envoy.js';
import { inForce, l7Policy } from '../support/envoy-cases.js';
import { eventually } from '../support/poll.js';
import { caPem, leaf, newCa, upstreamServer, writeSecret, type Pem, type UpstreamServer } from '../support/tls.js';

const ORDERS: WorkloadSpec = { name: 'orders', labels: { app: 'orders' }, http: [8080, 8090, 8070] };
const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' } };
const TOKEN = 's3cr3t-token-value';
/** The SDS name of the injected credential (policy-compiler/names.ts: SDS_NAMES.credential). */
const CREDENTIAL_SDS = 'credential|shop/api-token|token|Bearer%20';

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

const EGRESS = l7Policy('web-out', `  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 9443 } ]
          serverNames: [ api.example.test ]
          terminatingTLS: { issue: true }
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } } }
          injectHeaders: [ { name: Authorization, secret: { name: api-token }, key: token, prefix: "Bearer " } ]
          rules: { http: [ { method: GET, path: { prefix: /v1/ } } ] }
        - ports: [ { port: 9080 } ]
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } }, serverName: api.example.test, port: 9443 }
        - ports: [ { port: 9444 } ]
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } }, serverName: api.example.test, clientCertificate: { secret: { name: web-client } } }
        - ports: [ { port: 9445 } ]
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } }, serverName: api.example.test }
        - ports: [ { port: 9446 } ]
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } }, serverName: api.example.test, port: 9443 }
          injectHeaders: [ { name: Authorization, secret: { name: api-token }, key: token, prefix: "Bearer ", when: absent } ]
        - ports: [ { port: 9447 } ]
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } }, serverName: api.example.test }
        - ports: [ { port: 9448 } ]
          serverNames: [ api.example.test ]
          terminatingTLS: { issue: true }
          originatingTLS: { trustedCA: { secret: { name: upstream-ca } } }
`);

/** curl -i output with `-w '\n%{http_code}'`: the status code, the response's header block and its body. */
function included(out: string): { code: string; head: string; body: string } {
  const text = out.trimEnd();
  const last = text.lastIndexOf('\n');
  const rest = text.slice(0, last);
  const split = rest.indexOf('\r\n\r\n');
  return { code: text.slice(last + 1), head: rest.slice(0, split), body: rest.slice(split + 4) };
}

type RunningEnvoy = NonNullable<EnvoyBed['envoy']>;

/** Envoy's credential_injector counters on one outbound port (the HTTP connection managers of its chains). */
async function injectorCounts(envoy: RunningEnvoy, port: number): Promise<{ injected: number; already_exists: number; failed: number }> {
  const stats = await envoy.stats(`^http\\.outbound_${port}_.*\\.credential_injector\\.`);
  const sum = (counter: string) => [...stats].filter(([name]) => name.endsWith(`.credential_injector.${counter}`)).reduce((total, [, value]) => total + value, 0);
  return { injected: sum('injected'), already_exists: sum('already_exists'), failed: sum('failed') };
}

/** Every object in a JSON tree for which `match` holds. */
function objectsIn(tree: unknown, match: (o: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (match(o)) found.push(o);
      Object.values(o).forEach(walk);
    }
  };
  walk(tree);
  return found;
}

/** Runs a command where it says, without blocking this process (the upstream servers live in it). */
function run(where: Placement, command: readonly string[]): Promise<{ status: number | null; out: string; err: string }> {
  const argv = placed(where, command);
  return new Promise((resolve) => {
    const child = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

describeDataPath('policy-driven TLS on the real data path: termination, interception, origination, rotation', () => {
  const bed = new EnvoyBed();
  const secrets = path.join(bed.dir, 'secrets');
  let orders: { v4: string; v6: string };
  let web: { cgroup: string };
  let files: { ordersCa: string; interceptCa: string; client: string; clientKey: string; foreignClient: string; foreignClientKey: string };
  let ordersPem: Pem;
  let ordersCaPem: string;
  const upstreams: UpstreamServer[] = [];
  let good: UpstreamServer;
  let mtls: UpstreamServer;

  beforeAll(async () => {
    await bed.setUp();
    fs.mkdirSync(secrets);
    const [ordersCa, clientsCa, interceptCa, upstreamCa, forgerCa] = await Promise.all(['orders CA', 'clients CA', 'sluice interception CA', 'upstream CA', 'forger CA'].map(newCa));
    ordersPem = await leaf(ordersCa!, { dns: ['orders.shop'] });
    ordersCaPem = caPem(ordersCa!);
    // sluice's CA (serve --ca-dir), which the workload trusts, issues the interception certificate on the fly.
    await saveCa(path.join(bed.dir, 'ca'), interceptCa!, webcrypto);
    const upstream = await leaf(upstreamCa!, { dns: ['api.example.test'] });
    const forged = await leaf(forgerCa!, { dns: ['api.example.test'] });
    // From the CA the policy trusts, but for another name: SAN verification must refuse it.
    const misnamed = await leaf(upstreamCa!, { dns: ['other.example.test'] });
    const webClient = await leaf(upstreamCa!, { dns: ['web.shop'], usages: ['client'] });
    const someClient = await leaf(clientsCa!, { dns: ['client.shop'], usages: ['client'] });
    // The termination secret carries a ca.crt too: it must not make termination ask for client certificates.
    writeSecret(secrets, 'shop/orders-tls', { 'tls.crt': ordersPem.cert, 'tls.key': ordersPem.key, 'ca.crt': ordersPem.ca });
    writeSecret(secrets, 'shop/clients-ca', { 'ca.crt': caPem(clientsCa!) });
    const wildcard = await leaf(ordersCa!, { dns: ['*.orders.shop'] });
    writeSecret(secrets, 'shop/wildcard-tls', { 'tls.crt': wildcard.cert, 'tls.key': wildcard.key });
    writeSecret(secrets, 'shop/orders-ca', { 'ca.crt': ordersCaPem });
    writeSecret(secrets, 'shop/upstream-ca', { 'ca.crt': caPem(upstreamCa!) });
    writeSecret(secrets, 'shop/api-token', { token: `${TOKEN}\n` });
    writeSecret(secrets, 'shop/web-client', { 'tls.crt': webClient.cert, 'tls.key': webClient.key });
    const f = (name: string, text: string) => {
      const file = path.join(bed.dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    files = { ordersCa: f('orders-ca.pem', ordersCaPem), interceptCa: f('intercept-ca.pem', caPem(interceptCa!)), client: f('client.pem', someClient.cert), clientKey: f('client.key', someClient.key), foreignClient: f('foreign-client.pem', webClient.cert), foreignClientKey: f('foreign-client.key', webClient.key) };

    const o = bed.addWorkload(ORDERS);
    const w = bed.addWorkload(WEB);
    orders = o;
    web = w;
    bed.writeInventory([o.inventory, w.inventory]);
    bed.writePolicy('orders.yaml', INGRESS);
    bed.writePolicy('web.yaml', EGRESS);
    good = await upstreamServer(bed.host4, 9443, upstream, { expectAuthorization: `Bearer ${TOKEN}` });
    mtls = await upstreamServer(bed.host4, 9444, upstream, { clientCa: caPem(upstreamCa!) });
    upstreams.push(good, mtls, await upstreamServer(bed.host4, 9445, forged), await upstreamServer(bed.host4, 9447, misnamed), await upstreamServer(bed.host4, 9448, misnamed));
    await bed.startWorkload(ORDERS);
    const tlsWorkload = bed.spawn('orders TLS server', { cgroup: o.cgroup, netns: bed.netns }, [process.execPath, f('tls-workload.mjs', TLS_WORKLOAD), o.v4, '7443', f('orders.crt', ordersPem.cert), f('orders.key', ordersPem.key)]);
    await tlsWorkload.waitFor((l) => l.event === 'listening', 'the TLS workload to listen');
    await bed.startServe(['--secrets', secrets, '--ca-dir', path.join(bed.dir, 'ca')]);
    await bed.startEnvoy();
    await inForce(bed);
  }, 120_000);

  afterAll(async () => {
    for (const u of upstreams) await u.close();
    await bed.cleanup();
  }, 60_000);

  const inbound = (args: readonly string[]) => run({}, ['curl', '-sS', '--max-time', '10', ...args]);
  const ordersUrl = (port: number, p: string) => ['--resolve', `orders.shop:${port}:${orders.v4}`, `https://orders.shop:${port}${p}`];
  const fromWeb = (args: readonly string[]) => run({ cgroup: web.cgroup, netns: bed.netns }, ['curl', '-sS', '--max-time', '10', ...args]);
  const intercepted = (p: string) => ['--cacert', files.interceptCa, '--resolve', `api.example.test:9443:${bed.host4}`, `https://api.example.test:9443${p}`];

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

  it('egress interception: the workload\'s HTTPS call is terminated with a certificate sluice\'s CA issued for the SNI (which the workload trusts), the rules apply, Authorization is injected and TLS is originated to the real upstream, verified; the workload never sees the token', async () => {
    const envoy = bed.envoy!;
    const counts = await injectorCounts(envoy, 9443);
    const before = good.seen.length;
    const ok = await fromWeb(['-i', '-w', '\n%{http_code}', ...intercepted('/v1/items')]);
    const answer = included(ok.out);
    expect(answer.code).toBe('200');
    // The upstream's own record: exactly the injected credential, once, over TLS with the SNI.
    expect(good.seen.slice(before).map((s) => [s.path, s.authorization, s.sni])).toEqual([['/v1/items', [`Bearer ${TOKEN}`], 'api.example.test']]);
    // The workload learns that the upstream got the right credential, and nothing of it: not in the body, not in a header.
    expect(JSON.parse(answer.body)).toMatchObject({ path: '/v1/items', authorization: '(matched)' });
    expect(answer.head).toMatch(/^HTTP\/(1\.1|2) 200\b/);
    expect(ok.out + ok.err).not.toContain(TOKEN);
    expect(await injectorCounts(envoy, 9443)).toEqual({ ...counts, injected: counts.injected + 1 });
    // A denied path is answered by the RBAC filter before the injector: nothing goes upstream, nothing is injected.
    const denied = await fromWeb(['-i', '-w', '\n%{http_code}', ...intercepted('/admin')]);
    expect(included(denied.out).code).toBe('403');
    expect(denied.out).not.toContain(TOKEN);
    expect(good.seen.slice(before)).toHaveLength(1);
    expect(await injectorCounts(envoy, 9443)).toEqual({ ...counts, injected: counts.injected + 1 });
  });

  it('the credential reaches Envoy only over SDS: a dynamic secret (redacted in Envoy\'s dump) that the listener names, inline in no Listener or Cluster, in no static resource, nowhere in the dump', async () => {
    const envoy = bed.envoy!;
    const secrets = await envoy.configDump('dynamic_active_secrets');
    const credential = secrets.configs.find((c) => c.name === CREDENTIAL_SDS);
    expect(credential).toMatchObject({ version_info: expect.any(String), secret: { name: CREDENTIAL_SDS, generic_secret: { secret: { inline_string: '[redacted]' } } } });
    expect(await envoy.stat(`sds.${CREDENTIAL_SDS}.update_success`)).toBeGreaterThanOrEqual(1);
    expect(await envoy.stat(`sds.${CREDENTIAL_SDS}.update_rejected`)).toBe(0);
    const dump = await envoy.configDump();
    const section = (type: string) => dump.configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${type}`);
    // The bootstrap carries no secret: nothing static for Envoy to fall back on.
    const bootstrap = section('BootstrapConfigDump') as { bootstrap: { static_resources?: { secrets?: unknown[] } } };
    expect(bootstrap.bootstrap.static_resources?.secrets ?? []).toEqual([]);
    for (const type of ['ListenersConfigDump', 'ClustersConfigDump']) {
      const text = JSON.stringify(section(type));
      // No data source, no inline certificate, key, trust or credential: only SDS references by name.
      expect({ type, inline: text.match(/"(inline_string|inline_bytes|filename|tls_certificates|trusted_ca|private_key|generic_secret)"/g) ?? [] }).toEqual({ type, inline: [] });
    }
    const listeners = section('ListenersConfigDump');
    const generic = objectsIn(listeners, (o) => o['@type'] === 'type.googleapis.com/envoy.extensions.http.injected_credentials.generic.v3.Generic');
    expect(generic.length).toBeGreaterThanOrEqual(2);
    for (const g of generic) expect(g).toEqual({ '@type': expect.any(String), credential: { name: CREDENTIAL_SDS, sds_config: { ads: {}, resource_api_version: 'V3' } }, header: 'authorization' });
    // Every TLS context in a Listener or Cluster takes its certificate and its trust from SDS over ADS.
    const contexts = objectsIn([listeners, section('ClustersConfigDump')], (o) => 'common_tls_context' in o).map((o) => o.common_tls_context as Record<string, unknown>);
    expect(contexts.length).toBeGreaterThan(0);
    for (const sds of objectsIn(contexts, (o) => 'sds_config' in o)) expect(sds.sds_config).toEqual({ ads: {}, resource_api_version: 'V3' });
    expect(JSON.stringify(dump)).not.toContain(TOKEN);
  });

  it('injectHeaders: when: mismatch (the default) replaces a wrong Authorization the workload sent; when: absent keeps the workload\'s own and injects one only when there is none', async () => {
    const envoy = bed.envoy!;
    const [mismatch, absent] = [await injectorCounts(envoy, 9443), await injectorCounts(envoy, 9446)];
    const before = good.seen.length;
    const replaced = await fromWeb(['-i', '-H', 'Authorization: Bearer wrong', '-w', '\n%{http_code}', ...intercepted('/v1/replaced')]);
    const kept = await fromWeb(['-i', '-H', 'Authorization: Bearer mine', '-w', '\n%{http_code}', `http://${bed.host4}:9446/kept`]);
    const injected = await fromWeb(['-i', '-w', '\n%{http_code}', `http://${bed.host4}:9446/injected`]);
    const told = [replaced, kept, injected].map((r) => {
      const a = included(r.out);
      return [a.code, (JSON.parse(a.body) as { authorization: string }).authorization];
    });
    expect(told).toEqual([['200', '(matched)'], ['200', '(other)'], ['200', '(matched)']]);
    for (const r of [replaced, kept, injected]) expect(r.out).not.toContain(TOKEN);
    // What the upstream received: one Authorization each, the wrong one replaced, the workload's own kept.
    expect(good.seen.slice(before).map((s) => [s.path, s.authorization])).toEqual([
      ['/v1/replaced', [`Bearer ${TOKEN}`]],
      ['/kept', ['Bearer mine']],
      ['/injected', [`Bearer ${TOKEN}`]],
    ]);
    expect(await injectorCounts(envoy, 9443)).toEqual({ ...mismatch, injected: mismatch.injected + 1 });
    expect(await injectorCounts(envoy, 9446)).toEqual({ injected: absent.injected + 1, already_exists: absent.already_exists + 1, failed: absent.failed });
  });

  it('a plain-HTTP workload gets TLS originated (to another port), and mutual TLS origination presents the client certificate', async () => {
    const before = good.seen.length;
    const plain = await fromWeb(['-o', '/dev/null', '-w', '%{http_code}', `http://${bed.host4}:9080/plain`]);
    expect(plain.out).toBe('200');
    expect(good.seen.slice(before).map((s) => [s.path, s.sni])).toEqual([['/plain', 'api.example.test']]);
    const m = await fromWeb(['-o', '/dev/null', '-w', '%{http_code}', `http://${bed.host4}:9444/mutual`]);
    expect(m.out).toBe('200');
    expect(mtls.seen.map((s) => s.client)).toEqual(['web.shop']);
  });

  it('inbound origination: a plain-HTTP client reaches a workload that speaks TLS itself, verified against its CA', async () => {
    const r = await inbound(['-w', '\n%{http_code}', `http://${orders.v4}:7443/inside`]);
    expect(r.out.trim().split('\n').pop()).toBe('200');
    expect(JSON.parse(r.out.trim().split('\n')[0] ?? '{}')).toEqual({ tls: true, path: '/inside', sni: 'orders.shop', viaEnvoy: true });
  });

  it('a forged upstream certificate (another CA) is refused: the workload gets 503, the request never carries data upstream', async () => {
    const forged = await fromWeb(['-o', '/dev/null', '-w', '%{http_code}', `http://${bed.host4}:9445/forged`]);
    expect(forged.out).toBe('503');
    expect(upstreams[2]?.seen).toHaveLength(0);
  });

  it('SAN verification: an upstream certificate from the trusted CA for another name is refused (503), with a fixed serverName and with the name from :authority on an intercepted port (the same CA with the right name passes in the tests above)', async () => {
    const fixed = await fromWeb(['-o', '/dev/null', '-w', '%{http_code}', `http://${bed.host4}:9447/misnamed`]);
    expect(fixed.out).toBe('503');
    const auto = await fromWeb(['--cacert', files.interceptCa, '--resolve', `api.example.test:9448:${bed.host4}`, '-o', '/dev/null', '-w', '%{http_code}', 'https://api.example.test:9448/misnamed']);
    expect(auto.out).toBe('503');
    expect([upstreams[3]?.seen, upstreams[4]?.seen]).toEqual([[], []]);
    // Envoy's own count: the handshakes failed on the certificate, not on the connection.
    const stats = await bed.envoy!.stats('ssl\\.fail_verify_san');
    expect([...stats].filter(([name]) => name.startsWith('cluster.tls|outbound|944')).reduce((n, [, v]) => n + v, 0)).toBeGreaterThanOrEqual(2);
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
