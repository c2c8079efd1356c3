/**
 * Kubernetes Secrets feed policy-driven TLS, against a real kube-apiserver and a real ADS stream
 * (gRPC, the xDS harness's raw client playing node-a's proxy, ACKing what it gets):
 *
 * - a policy whose `terminatingTLS` names a Secret that does not exist: its status says so at the
 *   field path, and nothing is served for its port (no chain, no secret);
 * - the kubernetes.io/tls Secret created: node-a receives it over SDS, and a TLS chain for the port;
 * - rotated: a new SDS version with the new certificate, and no Listener or Cluster response at all;
 * - updated to a certificate and key that do not match, then to an oversized certificate (a hostile
 *   900 KB value): the last good version stays, nothing is pushed, status says stale and why;
 * - deleted: status says missing at the field path (Degraded, never Enforced), the port refuses
 *   its connections, and the secret is no longer served;
 * - the API server's own audit log shows every Secret list and watch the controller made was for
 *   `metadata.name=api-cert` in `shop`: no other Secret is ever read.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { messageType } from '../../../envoy-api/index.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { SDS_NAMES } from '../../../policy-compiler/index.js';
import { describeKube } from '../../support/kube.js';
import { eventually } from '../../support/poll.js';
import { leaf, newCa, type Pem } from '../../support/tls.js';
import { RawXdsClient, type Response } from '../../xds-server/harness.js';
import { condition, ControllerBed } from './bed.js';

const SDS_NAME = SDS_NAMES.certificate('shop/api-cert', 'tls.crt', 'tls.key');
const FIELD = 'spec.ingress[0].toPorts[0].terminatingTLS.secret';
const SECRETS = '/api/v1/namespaces/shop/secrets';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const tlsSecret = (cert: string, key: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-cert' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(cert), 'tls.key': b64(key) } });

interface FilterChain {
  readonly filter_chain_match?: { readonly destination_port?: { readonly value?: number }; readonly transport_protocol?: string };
  readonly filters?: readonly { readonly name?: string }[];
}
const Listener = messageType('envoy.config.listener.v3.Listener');

/** What the LDS response serves for port 8443: `closed` (refuses connections), `tls`, `plain`; none: no chain at all. */
function port8443(r: Response | undefined): string[] {
  const chains = (r?.bodies ?? []).flatMap((b) => (Listener.toObject(Listener.decode(b)) as { filter_chains?: FilterChain[] }).filter_chains ?? []);
  return chains
    .filter((c) => c.filter_chain_match?.destination_port?.value === 8443)
    .map((c) => (c.filters?.at(-1)?.name === 'envoy.filters.network.direct_response' ? 'closed' : c.filter_chain_match?.transport_protocol === 'tls' ? 'tls' : 'plain'));
}

/** The certificate chain of the SDS secret in a response (absent: not served). */
function served(r: Response | undefined): string | undefined {
  const i = r?.names.indexOf(SDS_NAME) ?? -1;
  return i >= 0 && r ? Buffer.from(r.bodies[i] ?? []).toString('latin1') : undefined;
}

describeKube('Kubernetes Secrets feed policy-driven TLS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-k8s-secrets-'));
  const auditLog = path.join(dir, 'audit.log');
  let bed: ControllerBed;
  let controller: Controller;
  let proxy: RawXdsClient;
  let first: Pem;
  let second: Pem;
  let other: Pem;
  /** Every response node-a got, in order (each ACKed as it arrives). */
  const got: Response[] = [];
  const subscribed: Record<string, readonly string[]> = { CDS: [], LDS: [], SDS: [SDS_NAME] };
  const status = async () => (await bed.policy('shop', 'tls-api')).status;
  const accepted = async () => condition(await status(), 'Accepted');
  const enforced = async () => condition(await status(), 'Enforced');
  const last = (type: string) => [...got].reverse().find((r) => r.type === type);
  const adminStatus = async () => (await (await fetch(`http://127.0.0.1:${controller.adminPort}/status`)).json()) as { secrets: { watched: unknown[]; inForce: { secret: string; version: string; stale?: string }[]; broken: unknown[] } };

  /** Takes responses until `done` holds for what was taken, ACKing each. */
  const until = async (done: () => boolean, what: string, ms = 20_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${got.map((r) => `${r.type}@${r.version}`).join(', ')}`);
      const r = await proxy.next(Math.max(1, deadline - Date.now())).catch(() => undefined);
      if (!r) continue;
      got.push(r);
      proxy.ack(r.type as 'LDS', subscribed[r.type] ?? []);
    }
  };
  /**
   * What was pushed since the last response taken, proven complete: a changed subscription is
   * answered at once and requests are handled in order, so once the answer to one arrives nothing
   * else is in flight.
   */
  const quiet = async (): Promise<Response[]> => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    const take = async () => {
      const r = await proxy.next();
      got.push(r);
      return r;
    };
    const pushed: Response[] = [];
    while (proxy.queued > 0) {
      const r = await take();
      pushed.push(r);
      proxy.ack(r.type as 'LDS', subscribed[r.type] ?? []);
    }
    const v = last('SDS');
    proxy.send({ type: 'SDS', node: null, names: [SDS_NAME, `barrier-${got.length}`], version: v?.version ?? '', nonce: v?.nonce ?? '' });
    const answer = await take();
    expect(answer.type).toBe('SDS');
    proxy.send({ type: 'SDS', node: null, names: [SDS_NAME], version: answer.version, nonce: answer.nonce });
    const back = await take();
    expect(back.type).toBe('SDS');
    proxy.ack('SDS', [SDS_NAME]);
    return pushed;
  };

  beforeAll(async () => {
    const policyFile = path.join(dir, 'audit-policy.yaml');
    fs.writeFileSync(policyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    resources: [ { group: "", resources: [ secrets ] } ]\n  - level: None\n');
    bed = await ControllerBed.start(['shop'], { extraArgs: [`--audit-policy-file=${policyFile}`, `--audit-log-path=${auditLog}`, '--audit-log-mode=blocking'] });
    const ca = await newCa('k8s secrets CA');
    first = await leaf(ca, { dns: ['api.shop'] });
    second = await leaf(ca, { dns: ['api.shop'] });
    other = await leaf(ca, { dns: ['other.shop'] });
    await bed.pod({ name: 'api-0', namespace: 'shop', labels: { app: 'api' }, ip: '10.1.0.7', node: 'node-a', ports: [8443] });
    await bed.must('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated' }, data: { token: b64('s3cret-before') } });
    await bed.applyPolicy('shop', 'tls-api', { selector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [{ ports: [{ port: 8443 }], terminatingTLS: { secret: { name: 'api-cert' } } }] }] });
    controller = await bed.controller({ identity: 'replica-1' });
    await eventually(() => controller.leader.isLeading(), 'the only replica to lead', 20_000);
    await bed.must('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated-after' }, data: { token: b64('s3cret-after') } });
    proxy = new RawXdsClient(controller.xdsPort);
    proxy.send({ type: 'CDS', node: 'node-a', names: [] });
    proxy.send({ type: 'LDS', node: 'node-a', names: [] });
    proxy.send({ type: 'SDS', node: 'node-a', names: [SDS_NAME] });
  }, 120_000);

  afterAll(async () => {
    proxy?.close();
    await controller?.close();
    await bed?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a Secret that does not exist: status says so at the field path; nothing is served for the port', async () => {
    await eventually(async () => (await accepted())?.message.includes('does not exist') ?? false, 'the missing Secret in the status', 20_000);
    const a = await accepted();
    expect(a).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(a?.message).toContain(`${FIELD}: secret shop/api-cert does not exist`);
    await until(() => last('CDS') !== undefined && last('LDS') !== undefined && last('SDS') !== undefined, 'the first CDS, LDS and SDS responses');
    expect(port8443(last('LDS'))).toEqual([]);
    expect(served(last('SDS'))).toBeUndefined();
    expect((await adminStatus()).secrets.watched).toEqual([{ namespace: 'shop', name: 'api-cert', state: 'missing', keys: [] }]);
  });

  it('the Secret created: node-a receives it over SDS and a TLS chain for the port; the policy is Enforced once ACKed', async () => {
    await bed.must('POST', SECRETS, tlsSecret(first.cert, first.key));
    await until(() => served(last('SDS'))?.includes(first.cert.split('\n')[1] ?? '?') === true && port8443(last('LDS')).includes('tls'), 'the secret and the TLS chain');
    expect(port8443(last('LDS'))).toEqual(['tls']);
    // The proxy asks for the route configurations its listeners name, as Envoy does.
    const routes = (controller.view.statuses().get('shop/tls-api')?.targets ?? []).map((t) => t.resource).filter((r) => r.startsWith('RouteConfiguration/')).map((r) => r.slice('RouteConfiguration/'.length));
    expect(routes.length).toBeGreaterThan(0);
    subscribed.RDS = routes;
    proxy.send({ type: 'RDS', node: null, names: routes });
    await until(() => last('RDS') !== undefined, 'the route configuration');
    await eventually(async () => (await enforced())?.status === 'True', 'Enforced', 20_000);
    expect((await accepted())?.status).toBe('True');
    const s = await adminStatus();
    expect(s.secrets.inForce.map((x) => x.secret)).toEqual(['shop/api-cert']);
    expect(JSON.stringify(s)).not.toContain('PRIVATE KEY');
  });

  it('rotated: a new SDS version with the new certificate, and no Listener or Cluster pushed', async () => {
    const before = last('SDS');
    const listenerVersion = last('LDS')?.version;
    const clusterVersion = last('CDS')?.version;
    await bed.must('PUT', `${SECRETS}/api-cert`, tlsSecret(second.cert, second.key));
    await until(() => served(last('SDS'))?.includes(second.cert.split('\n')[1] ?? '?') === true, 'the rotated certificate over SDS');
    expect(last('SDS')?.version).not.toBe(before?.version);
    const pushed = await quiet();
    expect(pushed.filter((r) => r.type !== 'SDS').map((r) => r.type)).toEqual([]);
    expect(last('LDS')?.version).toBe(listenerVersion);
    expect(last('CDS')?.version).toBe(clusterVersion);
  });

  it('updated to a key that does not match, then to an oversized certificate: the last good stays, nothing is pushed, status says stale and why', async () => {
    const inForce = (await adminStatus()).secrets.inForce[0]?.version;
    const sds = last('SDS')?.version;
    await bed.must('PUT', `${SECRETS}/api-cert`, tlsSecret(other.cert, second.key));
    await eventually(async () => (await accepted())?.message.includes('is stale') ?? false, 'stale in the status', 20_000);
    expect((await accepted())?.message).toContain('Secret shop/api-cert is stale: its newest version is not used (tls.key is not the key of tls.crt\'s certificate');
    expect((await adminStatus()).secrets.inForce).toEqual([expect.objectContaining({ secret: 'shop/api-cert', version: inForce, stale: expect.stringContaining('tls.key is not the key') })]);

    const huge = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(900_000)}\n-----END CERTIFICATE-----\n`;
    await bed.must('PUT', `${SECRETS}/api-cert`, tlsSecret(huge, second.key));
    await eventually(async () => (await accepted())?.message.includes('the limit is 262144') ?? false, 'the oversized version refused', 20_000);
    expect((await accepted())?.message).toMatch(/Secret shop\/api-cert is stale: its newest version is not used \(tls\.crt: 9\d{5} bytes; the limit is 262144\)/);
    expect((await adminStatus()).secrets.inForce[0]?.version).toBe(inForce);
    expect((await quiet()).map((r) => `${r.type}@${r.version}`)).toEqual([]);
    expect(last('SDS')?.version).toBe(sds);
    expect(served(last('SDS'))).toContain(second.cert.split('\n')[1] ?? '?');
  });

  it('deleted: status says missing at the field path (Degraded, never Enforced); the port refuses connections; the secret is no longer served', async () => {
    await bed.must('DELETE', `${SECRETS}/api-cert`);
    await until(() => port8443(last('LDS')).includes('closed') && served(last('SDS')) === undefined, 'the port closed and the secret gone');
    expect(port8443(last('LDS'))).toEqual(['closed']);
    await eventually(async () => (await enforced())?.reason === 'Degraded', 'Degraded', 20_000);
    expect((await enforced())?.message).toContain(`${FIELD}: secret shop/api-cert does not exist`);
    expect((await accepted())?.message).toContain('secret shop/api-cert does not exist');
    expect((await adminStatus()).secrets.watched).toEqual([{ namespace: 'shop', name: 'api-cert', state: 'missing', keys: [] }]);
  });

  it('the API server\'s audit log: every Secret list and watch the controller made was for api-cert in shop; no other Secret was read', () => {
    const events = fs.readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { verb: string; requestURI: string; user: { username: string }; objectRef?: { namespace?: string; name?: string } });
    // The API server reads every Secret itself (as system:apiserver, its own informers); the controller and this test are "admin".
    const reads = events.filter((e) => e.user.username === 'admin' && ['get', 'list', 'watch'].includes(e.verb));
    expect(reads.filter((e) => e.verb === 'watch').length).toBeGreaterThan(0);
    expect(reads.filter((e) => e.verb === 'list').length).toBeGreaterThan(0);
    for (const e of reads) {
      expect(e.objectRef?.namespace).toBe('shop');
      expect(decodeURIComponent(e.requestURI)).toContain('fieldSelector=metadata.name=api-cert');
    }
    expect(events.filter((e) => e.objectRef?.name?.startsWith('unrelated')).map((e) => e.verb)).toEqual(['create', 'create']);
  });
});
