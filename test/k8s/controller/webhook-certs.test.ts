/**
 * The controller issues and rotates the webhooks' certificates itself (webhook.certificates:
 * controller), against a real kube-apiserver that calls the webhooks over TLS. Two replicas run
 * as the controller's service account with the chart's RBAC (deploy/controller/rbac.yaml; every
 * request impersonates it, tagged with the replica), and the API server calls replica A:
 *
 * - started with no Secret, the leader makes one CA Secret and the serving Secret, publishes the
 *   caBundle, and the API server's call is answered over TLS: an invalid L7Policy refused with
 *   its field path, a valid one stored; both replicas serve the Secret's leaf;
 * - two issuers that both believe they lead, racing on a missing CA Secret: one CA (create-only);
 * - a write that meets another writer's change (409) stops the round; the next one reads again;
 * - a 12 s leaf is renewed (twice) while the API server calls without one refused admission;
 * - hostile Secrets (bad PEM, another key, wrong names, expired, a CA key that is not the CA's)
 *   are replaced by the leader with a line naming the Secret, the key and the problem, and the
 *   API server keeps calling;
 * - the API server's audit log: only the leader wrote the Secrets, one create each;
 * - a CA rotation (a 40 s CA renewed 30 s before its end) with overlap: the new CA joins the
 *   bundle first, the served leaf moves to it next, the old CA leaves last, and the API server
 *   calls through all of it without one refused admission.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { ADMIN_TOKEN } from '../../../bench/k8s/apiserver.js';
import { defaultEnv, issueLeaf, loadCaFromPem, privateKeyPem, generateKeyMaterial } from '../../../certs/index.js';
import { configurationPath, kubeApi, SLUICE_WEBHOOK_CONFIGURATIONS, type KubeApi, type KubeResponse } from '../../../k8s/admission/index.js';
import { WebhookCertIssuer, type Controller, type WebhookIssueSettings } from '../../../k8s/controller/index.js';
import { createLogger } from '../../../telemetry/index.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { configurationsFor } from '../webhook-bed.js';
import { ControllerBed, POLICY_API } from './bed.js';

const SA = 'system:serviceaccount:sluice-system:sluice-controller';
const SECRETS = '/api/v1/namespaces/sluice-system/secrets';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const INVALID = { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'tls-probe' }, spec: { selector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 80 }] }] }] } };
const VALID = { selector: { matchLabels: { app: 'web' } }, ingress: [{ toPorts: [{ ports: [{ port: 8080 }], rules: { http: [{ method: 'GET' }] } }] }] };
const ROTATION = { leafLifetimeMs: 12_000, renewWindowMs: 6_000, propagationMs: 1000, caOverlapMs: 4000 };
const settings = (extra: Partial<WebhookIssueSettings> = {}): WebhookIssueSettings => ({ ips: ['127.0.0.1'], reloadMs: 200, roundMs: 300, rotation: ROTATION, ...extra });

const b64 = (text: string) => Buffer.from(text).toString('base64');
const certsOf = (pem: string): X509Certificate[] => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
const fingerprints = (pem: string) => certsOf(pem).map((c) => c.fingerprint256);
const messageOf = (r: KubeResponse) => (JSON.parse(r.body) as { message?: string }).message ?? r.body;

interface LogLine { readonly msg: string; readonly replica?: string; readonly [k: string]: unknown }

describeKube('the controller issues and rotates the webhooks\' certificates, on a real API server', () => {
  let bed: ControllerBed;
  let a: Controller | undefined;
  let b: Controller | undefined;
  let portA = 0;
  let portB = 0;
  const lines: LogLine[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-webhook-certs-'));
  const auditLog = path.join(dir, 'audit.log');
  const loggerOf = (replica: string) => createLogger({ level: 'info', write: (l) => lines.push(JSON.parse(l) as LogLine) }).child({ replica });
  const asReplica = (replica: string): KubeApi => kubeApi({ server: bed.api.url, ca: Buffer.from(bed.api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN, headers: { 'Impersonate-User': SA, 'Impersonate-Extra-Replica': replica } });
  const start = (s: WebhookIssueSettings) => Promise.all([['replica-a', portA], ['replica-b', portB]].map(([identity, port]) => bed.controller({
    identity: String(identity), api: asReplica(String(identity)), logger: loggerOf(String(identity)), leaseDurationMs: 5000,
    webhook: { listen: { host: '127.0.0.1', port: Number(port) }, issue: s, rollout: { minAuditMs: 0 } },
  })));

  const secretData = async (name: string): Promise<{ data: Record<string, string>; annotations: Record<string, string>; rv: string } | undefined> => {
    const r = await bed.admin.request('GET', `${SECRETS}/${name}`);
    if (r.status === 404) return undefined;
    const o = JSON.parse(r.body) as { data?: Record<string, string>; metadata: { annotations?: Record<string, string>; resourceVersion: string } };
    return { data: Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])), annotations: o.metadata.annotations ?? {}, rv: o.metadata.resourceVersion };
  };
  const putSecretData = async (name: string, change: (data: Record<string, string>) => Record<string, string>) => {
    for (;;) {
      const s = await secretData(name);
      if (!s) throw new Error(`no Secret ${name}`);
      const r = await bed.admin.request('PUT', `${SECRETS}/${name}`, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'sluice-system', resourceVersion: s.rv, annotations: s.annotations }, type: name.endsWith('-tls') ? 'kubernetes.io/tls' : 'Opaque', data: Object.fromEntries(Object.entries(change(s.data)).map(([k, v]) => [k, b64(v)])) });
      if (r.status === 200) return;
      if (r.status !== 409) throw new Error(`PUT ${name}: ${r.status} ${r.body}`);
    }
  };
  const bundles = async () => {
    const out: string[] = [];
    for (const ref of SLUICE_WEBHOOK_CONFIGURATIONS) {
      const config = JSON.parse((await bed.admin.request('GET', configurationPath(ref))).body) as { webhooks: { clientConfig: { caBundle?: string } }[] };
      out.push(...config.webhooks.map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8')));
    }
    return out;
  };
  /** The one bundle all five webhooks carry (undefined while they differ). */
  const bundle = async () => {
    const all = await bundles();
    return all.length === 5 && all.every((x) => x === all[0]) && all[0] !== '' ? all[0] : undefined;
  };
  /** The CAs every one of the five webhooks trusts: while the controller updates them one by one, they differ. */
  const trustedByAll = async (): Promise<X509Certificate[]> => {
    const all = (await bundles()).map(certsOf);
    return all.length === 5 ? (all[0] ?? []).filter((c) => all.every((certs) => certs.some((x) => x.fingerprint256 === c.fingerprint256))) : [];
  };
  /** The leaf a new TLS connection to `port` is served. */
  const served = (port: number): Promise<X509Certificate> => new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
  /** One write the webhook must refuse: proof the API server reached it over TLS. */
  const called = () => bed.admin.request('POST', `${POLICY_API}/namespaces/shop/l7policies?dryRun=All`, INVALID);
  /** Calls the API server in a loop (each call must be refused by the webhook with 422) until `done`. */
  const callsUntil = async (done: () => Promise<boolean>, what: string, deadlineMs: number) => {
    const failures: string[] = [];
    let total = 0;
    const until = Date.now() + deadlineMs;
    for (;;) {
      const r = await called();
      total += 1;
      if (r.status !== 422) failures.push(`call ${total}: ${r.status} ${messageOf(r)}`);
      if (await done()) return { total, failures };
      if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what} (${total} calls, ${failures.length} failed: ${failures.slice(0, 3).join(' | ')})`);
      await new Promise((r2) => setTimeout(r2, 50));
    }
  };
  const leader = () => [a, b].find((c) => c?.leader.isLeading());

  beforeAll(async () => {
    const policyFile = path.join(dir, 'audit-policy.yaml');
    fs.writeFileSync(policyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    resources: [ { group: "", resources: [ secrets ] } ]\n  - level: None\n');
    bed = await ControllerBed.start(['shop'], { extraArgs: [`--audit-policy-file=${policyFile}`, `--audit-log-path=${auditLog}`, '--audit-log-mode=blocking'] });
    for (const doc of parseAllDocuments(fs.readFileSync('deploy/controller/rbac.yaml', 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } })) {
      const at = doc.kind === 'ServiceAccount' ? `/api/v1/namespaces/${doc.metadata.namespace ?? ''}/serviceaccounts`
        : doc.kind.startsWith('Cluster') ? `${RBAC}/${doc.kind.toLowerCase()}s`
        : `${RBAC}/namespaces/${doc.metadata.namespace ?? ''}/${doc.kind.toLowerCase()}s`;
      await bed.must('POST', at, doc);
    }
    [portA, portB] = [await freePort(), await freePort()];
    // The configurations call replica A, with no caBundle until the leader publishes one.
    for (const config of configurationsFor(`https://127.0.0.1:${portA}`)) await bed.must('POST', `/apis/admissionregistration.k8s.io/v1/${String(config['kind']).toLowerCase()}s`, config);
    [a, b] = await start(settings());
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await bed?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('started with no Secret: one CA, the serving Secret, the caBundle in all five webhooks; the API server calls the webhook over TLS (invalid refused at its field path, valid stored)', async () => {
    const published = await eventually(bundle, 'the caBundle published', 30_000);
    const ca = await secretData('sluice-webhook-ca');
    const serving = await secretData('sluice-webhook-tls');
    expect(Object.keys(ca?.data ?? {}).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(Object.keys(serving?.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(fingerprints(published)).toEqual(fingerprints(ca?.data['ca.crt'] ?? ''));
    expect(fingerprints(published)).toHaveLength(1);
    const root = certsOf(ca?.data['ca.crt'] ?? '')[0];
    const leaf = certsOf(serving?.data['tls.crt'] ?? '')[0];
    expect(root && leaf?.checkIssued(root)).toBe(true);
    expect(leaf?.subjectAltName).toBe('DNS:sluice-webhook, DNS:sluice-webhook.sluice-system, DNS:sluice-webhook.sluice-system.svc, DNS:sluice-webhook.sluice-system.svc.cluster.local, IP Address:127.0.0.1');

    const refused = await eventually(async () => {
      const r = await called();
      return r.status === 422 ? r : undefined;
    }, 'the API server to call the webhook', 30_000);
    expect(messageOf(refused)).toMatch(/^admission webhook "l7policies\.sluice\.dev" denied the request: L7Policy shop\/tls-probe is invalid/);
    expect(messageOf(refused)).toContain('spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8? [cidr.invalid]');
    const stored = await bed.admin.request('POST', `${POLICY_API}/namespaces/shop/l7policies`, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'web' }, spec: VALID });
    expect({ status: stored.status, body: stored.status === 201 ? '' : stored.body }).toEqual({ status: 201, body: '' });
    expect((await bed.admin.request('GET', `${POLICY_API}/namespaces/shop/l7policies/web`)).status).toBe(200);
    console.log(`the API server called the controller-issued webhook: ${refused.status} ${messageOf(refused).split('\n')[0] ?? ''}; valid policy ${stored.status}`);

    // Both replicas serve the Secret's leaf (B, a follower, read it through the API).
    for (const port of [portA, portB]) {
      await eventually(async () => (await served(port)).serialNumber === certsOf((await secretData('sluice-webhook-tls'))?.data['tls.crt'] ?? '')[0]?.serialNumber, `replica on ${port} to serve the Secret's leaf`, 20_000);
    }
  }, 90_000);

  it('two issuers that both think they lead, racing on a missing CA Secret, end with one CA: the loser of the create reads the winner\'s', async () => {
    // Both GETs answer 404 before either POST goes out: a real race, every time.
    let misses = 0;
    let release: () => void = () => undefined;
    const bothMissed = new Promise<void>((resolve) => (release = resolve));
    const racing = (api: KubeApi): KubeApi => ({
      server: api.server,
      request: async (method, at, body, type) => {
        if (method === 'POST' && at === SECRETS && (body as { metadata?: { name?: string } }).metadata?.name === 'race-ca') await bothMissed;
        const r = await api.request(method, at, body, type);
        if (method === 'GET' && at === `${SECRETS}/race-ca` && r.status === 404 && ++misses === 2) release();
        return r;
      },
    });
    const raceLines: LogLine[] = [];
    const issuers = ['x', 'y'].map((id) => new WebhookCertIssuer({
      api: racing(bed.admin), namespace: 'sluice-system', caSecret: 'race-ca', tlsSecret: 'race-tls', names: { dns: ['race.sluice-system.svc'], ips: [] }, env: defaultEnv(),
      leading: () => true, logger: createLogger({ level: 'info', write: (l) => raceLines.push(JSON.parse(l) as LogLine) }).child({ replica: id }), publishBundle: async () => undefined,
    }));
    for (let i = 0; i < 4 && issuers.some((x) => !x.held); i++) await Promise.all(issuers.map((x) => x.round()));
    const held = issuers.map((x) => x.held?.state.ca.root.toString('pem'));
    expect(held[0]).toBeDefined();
    expect(held[1]).toBe(held[0]);
    const stored = await secretData('race-ca');
    expect(fingerprints(stored?.data['ca.crt'] ?? '')).toEqual(fingerprints(held[0] ?? ''));
    expect(raceLines.filter((l) => l.msg === 'webhook certificates: created the CA')).toHaveLength(1);
    expect(raceLines.filter((l) => l.msg === 'webhook certificates: another replica created the CA first; taking it')).toHaveLength(1);
  }, 30_000);

  it('a write that meets another writer\'s change (409) stops the round, and the next one reads the Secret again and writes over the resourceVersion it read', async () => {
    let touched = false;
    const touching: KubeApi = {
      server: bed.admin.server,
      request: async (method, at, body, type) => {
        // Someone else writes the Secret between the issuer's read and its write.
        if (method === 'PUT' && at === `${SECRETS}/conflict-tls` && !touched) {
          touched = true;
          await putSecretData('conflict-tls', (d) => ({ ...d, 'tls.crt': 'still not a certificate' }));
        }
        return bed.admin.request(method, at, body, type);
      },
    };
    const own: LogLine[] = [];
    const issuer = new WebhookCertIssuer({
      api: touching, namespace: 'sluice-system', caSecret: 'conflict-ca', tlsSecret: 'conflict-tls', names: { dns: ['conflict.sluice-system.svc'], ips: [] }, env: defaultEnv(),
      leading: () => true, logger: createLogger({ level: 'info', write: (l) => own.push(JSON.parse(l) as LogLine) }), publishBundle: async () => undefined,
    });
    await bed.must('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conflict-tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('not a certificate'), 'tls.key': b64('nor a key'), 'ca.crt': b64('') } });
    await issuer.round();
    expect(touched).toBe(true);
    expect(issuer.held).toBeUndefined();
    expect(own.find((l) => l.msg === 'webhook certificates: round stopped; the next one reads the Secrets again')?.['reason']).toBe('Secret sluice-system/conflict-tls was changed by another writer (409)');
    await issuer.round();
    const stored = await secretData('conflict-tls');
    expect(certsOf(stored?.data['tls.crt'] ?? '')[0]?.serialNumber.toLowerCase()).toBe(issuer.held?.leafCertificate.serialNumber.toLowerCase());
    expect(own.filter((l) => l.msg === 'webhook certificates: the serving Secret is not usable; the leader issues a new leaf').map((l) => l['problems'])).toEqual([
      expect.stringMatching(/^Secret sluice-system\/conflict-tls tls\.crt: error: .*\[pem\.none\]/),
      expect.stringMatching(/^Secret sluice-system\/conflict-tls tls\.crt: error: .*\[pem\.none\]/),
    ]);
  }, 30_000);

  it('a 12 s leaf is renewed twice while the API server calls through, without one refused admission', async () => {
    const first = certsOf((await secretData('sluice-webhook-tls'))?.data['tls.crt'] ?? '')[0]?.serialNumber;
    const seen = new Set<string>([first ?? '']);
    const { total, failures } = await callsUntil(async () => {
      const now = certsOf((await secretData('sluice-webhook-tls'))?.data['tls.crt'] ?? '')[0]?.serialNumber ?? '';
      seen.add(now);
      return seen.size >= 3 && (await served(portA)).serialNumber === now && (await served(portB)).serialNumber === now;
    }, 'two renewals, served by both replicas', 45_000);
    expect(failures).toEqual([]);
    expect(total).toBeGreaterThan(20);
    console.log(`leaf renewed twice (${[...seen].join(' → ')}): ${total} admissions through the API server, none refused`);
  }, 60_000);

  it('replaces hostile serving Secrets, saying which key and why; the replicas keep serving and the API server keeps calling', async () => {
    const env = defaultEnv();
    const caData = (await secretData('sluice-webhook-ca'))?.data ?? {};
    const ca = await loadCaFromPem({ root: { file: 'ca.crt', text: caData['ca.crt'] ?? '' }, rootKey: { file: 'ca.key', text: caData['ca.key'] ?? '' } }, env);
    if (!ca.ok) throw new Error(JSON.stringify(ca.diagnostics));
    const leafPem = async (dns: string[], lifetimeMs?: number) => {
      const issued = await issueLeaf(ca.value, { dns, ips: ['127.0.0.1'], ...(lifetimeMs ? { lifetimeMs } : {}) }, env);
      if (!issued.ok) throw new Error(JSON.stringify(issued.diagnostics));
      return { cert: issued.value.chain.map((c) => c.toString('pem')).join('\n'), key: await privateKeyPem(env.crypto, issued.value.key) };
    };
    const names = ['sluice-webhook', 'sluice-webhook.sluice-system', 'sluice-webhook.sluice-system.svc', 'sluice-webhook.sluice-system.svc.cluster.local'];
    const expired = await leafPem(names, 1000);
    const wrongNames = await leafPem(['other.example']);
    const otherKey = await privateKeyPem(env.crypto, await generateKeyMaterial(env.crypto, 'ecdsa-p256'));
    await new Promise((r) => setTimeout(r, 1500)); // the 1 s leaf has expired
    const cases: [string, (d: Record<string, string>) => Record<string, string>, RegExp][] = [
      ['bad PEM', (d) => ({ ...d, 'tls.crt': 'not a certificate' }), /Secret sluice-system\/sluice-webhook-tls tls\.crt: error: .*\[pem\./],
      ['a key that is not the leaf\'s', (d) => ({ ...d, 'tls.key': otherKey }), /Secret sluice-system\/sluice-webhook-tls tls\.key: error: .*does not belong to the leaf.*\[key\.mismatch\]/],
      ['names it does not serve', (d) => ({ ...d, 'tls.crt': wrongNames.cert, 'tls.key': wrongNames.key }), /^Secret sluice-system\/sluice-webhook-tls tls\.crt: the leaf does not name sluice-webhook, sluice-webhook\.sluice-system, sluice-webhook\.sluice-system\.svc, sluice-webhook\.sluice-system\.svc\.cluster\.local \(it names other\.example, 127\.0\.0\.1\)$/],
      ['expired', (d) => ({ ...d, 'tls.crt': expired.cert, 'tls.key': expired.key }), /Secret sluice-system\/sluice-webhook-tls tls\.crt: error: .*expired/],
    ];
    for (const [what, change, problem] of cases) {
      const before = lines.length;
      await putSecretData('sluice-webhook-tls', change);
      const line = await eventually(() => lines.slice(before).find((l) => l.msg === 'webhook certificates: the serving Secret is not usable; the leader issues a new leaf'), `the leader to replace the Secret (${what})`, 20_000);
      expect({ what, problems: line['problems'] }).toEqual({ what, problems: expect.stringMatching(problem) });
      expect(line.replica).toBe(leader()?.leader.view().holder);
      await eventually(async () => {
        const s = await secretData('sluice-webhook-tls');
        const leaf = certsOf(s?.data['tls.crt'] ?? '')[0];
        return leaf !== undefined && leaf.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(s?.data['tls.key'] ?? ''))) && leaf.subjectAltName?.includes('DNS:sluice-webhook.sluice-system.svc') && Date.parse(leaf.validTo) > Date.now();
      }, `a usable serving Secret again (${what})`, 20_000);
      expect((await called()).status).toBe(422);
      console.log(`hostile serving Secret (${what}) replaced: ${String(line['problems'])}`);
    }
    // A follower saw them too, and kept serving its last good pair.
    expect(lines.some((l) => l.msg === 'webhook certificates: the serving Secret is not usable; serving the previous certificate')).toBe(true);
  }, 120_000);

  it('replaces a CA Secret whose key is not its CA\'s: the new CA joins the bundle beside the served leaf\'s, and the API server calls through', async () => {
    const env = defaultEnv();
    const before = lines.length;
    const oldRoot = fingerprints((await secretData('sluice-webhook-ca'))?.data['ca.crt'] ?? '')[0];
    const otherKey = await privateKeyPem(env.crypto, await generateKeyMaterial(env.crypto, 'ecdsa-p256'));
    await putSecretData('sluice-webhook-ca', (d) => ({ ...d, 'ca.key': otherKey }));
    const { total, failures } = await callsUntil(async () => {
      const now = await bundle();
      const roots = now ? fingerprints(now) : [];
      return roots.length === 1 && roots[0] !== oldRoot && certsOf((await secretData('sluice-webhook-ca'))?.data['ca.crt'] ?? '')[0]?.fingerprint256 === roots[0]
        && (await served(portA)).checkIssued(certsOf(now ?? '')[0] as X509Certificate);
    }, 'the new CA alone in the bundle, and A serving its leaf', 45_000);
    expect(failures).toEqual([]);
    const line = lines.slice(before).find((l) => l.msg === 'webhook certificates: the CA Secret is not usable; the leader replaces it with a new CA');
    expect(line?.['problems']).toMatch(/Secret sluice-system\/sluice-webhook-ca ca\.key: error: privateKey: this key does not belong to Secret sluice-system\/sluice-webhook-ca ca\.crt .*\[key\.mismatch\]/);
    expect(lines.slice(before).some((l) => l.msg === 'webhook certificates: the served leaf stays until the new CA is published; its CA stays in the bundle meanwhile')).toBe(true);
    console.log(`hostile CA Secret replaced (${String(line?.['problems'])}): ${total} admissions, none refused`);
  }, 60_000);

  it('the API server\'s audit log: only the leader wrote the two Secrets, one create each; the follower only read the serving Secret', () => {
    const events = fs.readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { verb: string; objectRef?: { name?: string }; impersonatedUser?: { username: string; extra?: { replica?: string[] } }; responseStatus?: { code: number } });
    const ours = events.filter((e) => e.impersonatedUser?.username === SA && ['sluice-webhook-ca', 'sluice-webhook-tls'].includes(e.objectRef?.name ?? ''));
    const holder = leader()?.leader.view().holder;
    const writes = ours.filter((e) => e.verb !== 'get' && (e.responseStatus?.code ?? 0) < 300);
    expect(writes.length).toBeGreaterThan(4);
    expect([...new Set(writes.map((e) => e.impersonatedUser?.extra?.replica?.[0]))]).toEqual([holder]);
    expect(writes.filter((e) => e.verb === 'create').map((e) => e.objectRef?.name).sort()).toEqual(['sluice-webhook-ca', 'sluice-webhook-tls']);
    const follower = holder === 'replica-a' ? 'replica-b' : 'replica-a';
    const byFollower = ours.filter((e) => e.impersonatedUser?.extra?.replica?.[0] === follower);
    expect(byFollower.length).toBeGreaterThan(10);
    expect([...new Set(byFollower.map((e) => `${e.verb} ${e.objectRef?.name ?? ''}`))]).toEqual(['get sluice-webhook-tls']);
    // Every request the replicas made was allowed by the chart's RBAC.
    expect(ours.filter((e) => e.responseStatus?.code === 403)).toEqual([]);
  });

  it('rotates the CA with overlap (a 40 s CA, renewed 30 s before its end): the new CA joins the bundle, then the leaf moves, then the old CA leaves; the API server calls through', async () => {
    await a?.close();
    await b?.close();
    for (const name of ['sluice-webhook-ca', 'sluice-webhook-tls']) await bed.must('DELETE', `${SECRETS}/${name}`);
    [a, b] = await start(settings({ ca: { lifetimeMs: 40_000, renewWindowMs: 30_000 } }));
    const first = await eventually(async () => {
      const now = await bundle();
      const ca = await secretData('sluice-webhook-ca');
      return now && ca && fingerprints(now).join() === fingerprints(ca.data['ca.crt'] ?? '').join() ? fingerprints(now)[0] : undefined;
    }, 'the first short-lived CA published', 30_000);
    // Restarted, A serves its placeholder until it has read the serving Secret.
    await eventually(async () => (await served(portA)).checkIssued(certsOf((await secretData('sluice-webhook-ca'))?.data['ca.crt'] ?? '')[0] as X509Certificate), 'A to serve a leaf of the first CA', 20_000);
    const timeline: { roots: string[]; servedBy: string; caKeys: string }[] = [];
    const { total, failures } = await callsUntil(async () => {
      const roots = await trustedByAll();
      const leaf = await served(portA);
      const issuer = roots.find((r) => leaf.checkIssued(r))?.fingerprint256 ?? `not in the bundle (${leaf.issuer})`;
      const ca = await secretData('sluice-webhook-ca');
      timeline.push({ roots: roots.map((r) => r.fingerprint256), servedBy: issuer, caKeys: Object.keys(ca?.data ?? {}).sort().join(',') + (ca?.annotations['sluice.dev/previous-ca-until'] ? '+until' : '') });
      return roots.length === 1 && roots[0]?.fingerprint256 !== first && issuer === roots[0]?.fingerprint256;
    }, 'the old CA retired and the leaf of the new one served', 60_000);
    expect(failures).toEqual([]);
    // The leaf A served was always of a CA that every webhook's bundle held.
    expect(timeline.filter((t) => t.servedBy.startsWith('not in'))).toEqual([]);
    const second = timeline.at(-1)?.roots[0] ?? '';
    const joined = timeline.findIndex((t) => t.roots.includes(second) && t.roots.includes(first));
    const moved = timeline.findIndex((t) => t.servedBy === second);
    const retired = timeline.findIndex((t) => t.roots.includes(second) && !t.roots.includes(first));
    expect({ joined: joined >= 0, order: joined < moved && moved < retired }).toEqual({ joined: true, order: true });
    expect(timeline.some((t) => t.caKeys === 'ca.crt,ca.key,next.crt,next.key')).toBe(true);
    expect(timeline.some((t) => t.caKeys === 'ca.crt,ca.key,previous.crt+until')).toBe(true);
    expect(lines.some((l) => l.msg === 'webhook certificates: CA rotation started; the new CA joins the bundle')).toBe(true);
    console.log(`CA rotation: bundle +new at sample ${joined}, leaf moved at ${moved}, old retired at ${retired} (of ${timeline.length}); ${total} admissions, none refused`);
  }, 120_000);
});
