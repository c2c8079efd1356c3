/**
 * Policy-driven TLS on the real data path, egress (eBPF redirection, real Envoy fed by `sluice
 * serve --secrets --ca-dir` over ADS and SDS): interception (terminated with a certificate sluice's
 * CA issues, which the workload trusts, rules applied, `Authorization` injected, TLS originated to
 * the real upstream and verified; the workload never holds the token, never sees it in an answer,
 * and Envoy's own dump shows it came over SDS and is inline in no Listener or Cluster),
 * `injectHeaders`' `when: mismatch` replacing a wrong value and `when: absent` keeping the
 * workload's own, a forged upstream certificate refused, one from the trusted CA for another name
 * refused (SAN verification, with a fixed serverName and from :authority), TLS originated for a
 * plain-HTTP workload, and mutual TLS origination. The inbound half is envoy-tls-inbound.test.ts.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EnvoyBed, type WorkloadSpec } from '../../bench/envoy/bed.js';
import { saveCa } from '../../certs/index.js';
import { describeDataPath } from '../support/envoy.js';
import { inForce, l7Policy } from '../support/envoy-cases.js';
import { run } from '../support/run-placed.js';
import { caPem, leaf, newCa, upstreamServer, writeSecret, type UpstreamServer } from '../support/tls.js';

const WEB: WorkloadSpec = { name: 'web', labels: { app: 'web' } };
const TOKEN = 's3cr3t-token-value';
/** The SDS name of the injected credential (policy-compiler/names.ts: SDS_NAMES.credential). */
const CREDENTIAL_SDS = 'credential|shop/api-token|token|Bearer%20';

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

describeDataPath('policy-driven TLS on the real data path, egress: interception, injection, origination, upstream verification', () => {
  const bed = new EnvoyBed();
  const secrets = path.join(bed.dir, 'secrets');
  let web: { cgroup: string };
  let files: { interceptCa: string };
  const upstreams: UpstreamServer[] = [];
  let good: UpstreamServer;
  let mtls: UpstreamServer;

  beforeAll(async () => {
    await bed.setUp();
    fs.mkdirSync(secrets);
    const [interceptCa, upstreamCa, forgerCa] = await Promise.all(['sluice interception CA', 'upstream CA', 'forger CA'].map(newCa));
    // sluice's CA (serve --ca-dir), which the workload trusts, issues the interception certificate on the fly.
    await saveCa(path.join(bed.dir, 'ca'), interceptCa!, webcrypto);
    const upstream = await leaf(upstreamCa!, { dns: ['api.example.test'] });
    const forged = await leaf(forgerCa!, { dns: ['api.example.test'] });
    // From the CA the policy trusts, but for another name: SAN verification must refuse it.
    const misnamed = await leaf(upstreamCa!, { dns: ['other.example.test'] });
    const webClient = await leaf(upstreamCa!, { dns: ['web.shop'], usages: ['client'] });
    writeSecret(secrets, 'shop/upstream-ca', { 'ca.crt': caPem(upstreamCa!) });
    writeSecret(secrets, 'shop/api-token', { token: `${TOKEN}\n` });
    writeSecret(secrets, 'shop/web-client', { 'tls.crt': webClient.cert, 'tls.key': webClient.key });
    const interceptCaFile = path.join(bed.dir, 'intercept-ca.pem');
    fs.writeFileSync(interceptCaFile, caPem(interceptCa!));
    files = { interceptCa: interceptCaFile };

    const w = bed.addWorkload(WEB);
    web = w;
    bed.writeInventory([w.inventory]);
    bed.writePolicy('web.yaml', EGRESS);
    good = await upstreamServer(bed.host4, 9443, upstream, { expectAuthorization: `Bearer ${TOKEN}` });
    mtls = await upstreamServer(bed.host4, 9444, upstream, { clientCa: caPem(upstreamCa!) });
    upstreams.push(good, mtls, await upstreamServer(bed.host4, 9445, forged), await upstreamServer(bed.host4, 9447, misnamed), await upstreamServer(bed.host4, 9448, misnamed));
    await bed.startServe(['--secrets', secrets, '--ca-dir', path.join(bed.dir, 'ca')]);
    await bed.startEnvoy();
    await inForce(bed);
  }, 120_000);

  afterAll(async () => {
    for (const u of upstreams) await u.close();
    await bed.cleanup();
  }, 60_000);

  const fromWeb = (args: readonly string[]) => run({ cgroup: web.cgroup, netns: bed.netns }, ['curl', '-sS', '--max-time', '10', ...args]);
  const intercepted = (p: string) => ['--cacert', files.interceptCa, '--resolve', `api.example.test:9443:${bed.host4}`, `https://api.example.test:9443${p}`];

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
});
