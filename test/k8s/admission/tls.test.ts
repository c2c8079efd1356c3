/**
 * The serving certificate's lifecycle, with an injected clock: renewed before expiry and served to
 * new connections without a restart; a new CA joins the bundle first and signs the leaf only after
 * the bundle was published, then the old CA retires after the overlap; a TLS directory reloaded
 * when it changes, never replaced by a broken one; and the caBundle patch.
 */
import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DAY_MS, defaultEnv, issueLeaf, parseCertificates, saveSecret } from '../../../certs/index.js';
import { caBundlePatch, readServingDir, rotateOnce, serviceNames, ServingCertificates, startWebhookServer, watchServingDir, type ServingDir, type WebhookServer } from '../../../k8s/admission/index.js';
import { testEnv, tempDir } from '../../certs/support.js';
import { eventually } from '../../support/poll.js';
import { fixedView } from './fixtures.js';
import { LOOPBACK, newCa, servedSerial, servingCerts } from './https.js';

const roots = (pem: string) => {
  const parsed = parseCertificates(pem);
  if (!parsed.ok) throw new Error('bundle does not parse');
  return parsed.value.map((c) => c.subject);
};
const deps = { policies: { view: fixedView() }, rollout: { now: () => Date.now() } };

describe('the serving certificates', () => {
  let server: WebhookServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('name the Service in every form the cluster resolves, and the IPs given', () => {
    expect(serviceNames('sluice-webhook', 'sluice-system', 'cluster.local', ['127.0.0.1'])).toEqual({
      dns: ['sluice-webhook', 'sluice-webhook.sluice-system', 'sluice-webhook.sluice-system.svc', 'sluice-webhook.sluice-system.svc.cluster.local'],
      ips: ['127.0.0.1'],
    });
  });

  it('renew the leaf when it is due, and the server hands the new one to new connections without a restart', async () => {
    // The clock starts 25 days back, so the first leaf (30 days) is due now and the renewed one is valid now.
    const env = testEnv(new Date(Date.now() - 25 * DAY_MS));
    const certs = await servingCerts(env);
    const first = certs.leafCertificate.serialNumber.toLowerCase();
    server = await startWebhookServer({ host: '127.0.0.1', port: 0, certificate: certs.certificate, deps });
    const ca = certs.bundlePem;
    env.setNow(new Date(Date.now() - 16 * DAY_MS)); // 14 days left: not due (window 10 days)
    expect(await rotateOnce({ certs, server })).toEqual({ published: false, leafRenewed: false });
    expect(await servedSerial(server.port, ca)).toBe(first);
    env.setNow(new Date());
    expect(await rotateOnce({ certs, server })).toEqual({ published: false, leafRenewed: true });
    const second = certs.leafCertificate.serialNumber.toLowerCase();
    expect(second).not.toBe(first);
    expect(await servedSerial(server.port, ca)).toBe(second);
    expect(certs.leafCertificate.notAfter.getTime() - Date.now()).toBeGreaterThan(29 * DAY_MS);
  });

  it('taken up again from a kept state: a leaf another CA issued is served until a bundle with the CA in use is published and propagated; an expired one moves at once', async () => {
    const env = testEnv(new Date());
    const old = await servingCerts(env);
    const next = await newCa(env, 'sluice webhook test CA 2');
    const kept = old.state;
    expect(kept.pending).toBeUndefined();
    const restored = await ServingCertificates.restore({ ca: next, previous: { root: kept.ca.root, until: Date.now() + 10 * DAY_MS }, leaf: kept.leaf }, LOOPBACK, env);
    expect(restored.leafCertificate.serialNumber).toBe(old.leafCertificate.serialNumber);
    expect(roots(restored.bundlePem)).toEqual(['CN=sluice webhook test CA 2', 'CN=sluice webhook test CA']);
    const published: string[][] = [];
    const publishBundle = async (pem: string) => {
      published.push(roots(pem));
      return Promise.resolve();
    };
    // Published now: the leaf of the old CA stays for the propagation time.
    expect(await rotateOnce({ certs: restored, server: { setCertificate: () => undefined }, publishBundle })).toEqual({ published: true, leafRenewed: false });
    expect(restored.leafCertificate.issuer).toBe('CN=sluice webhook test CA');
    env.setNow(new Date(Date.now() + 61_000));
    expect(await rotateOnce({ certs: restored, server: { setCertificate: () => undefined }, publishBundle })).toEqual({ published: false, leafRenewed: true });
    expect(restored.leafCertificate.issuer).toBe('CN=sluice webhook test CA 2');
    expect(published).toEqual([['CN=sluice webhook test CA 2', 'CN=sluice webhook test CA']]);
    // An expired leaf of another CA is no use to anyone: it moves without waiting.
    env.setNow(new Date(Date.now() + 31 * DAY_MS));
    const late = await ServingCertificates.restore({ ca: await newCa(env, 'sluice webhook test CA 3'), leaf: kept.leaf }, LOOPBACK, env);
    expect((await late.tick()).leafRenewed).toBe(true);
    expect(late.leafCertificate.issuer).toBe('CN=sluice webhook test CA 3');
  });

  it('issue leaves of a lifetime in milliseconds (leafLifetimeMs), renewed within their window', async () => {
    const t0 = Date.now();
    const env = testEnv(new Date(t0));
    const certs = await servingCerts(env, LOOPBACK, undefined, { leafLifetimeMs: 12_000, renewWindowMs: 6_000 });
    const leaf = certs.leafCertificate;
    expect(leaf.notAfter.getTime() - Math.floor(t0 / 1000) * 1000).toBe(12_000);
    env.setNow(new Date(t0 + 5_000));
    expect((await certs.tick()).leafRenewed).toBe(false);
    env.setNow(new Date(t0 + 7_000));
    expect((await certs.tick()).leafRenewed).toBe(true);
  });

  it('rotate the CA in an order that never serves a leaf the API server does not trust yet', async () => {
    const env = testEnv(new Date());
    const certs = await servingCerts(env);
    const oldCa = certs.leafCertificate.issuer;
    const next = await newCa(env, 'sluice webhook test CA 2');
    const published: string[][] = [];
    let failPublish = true;
    const publishBundle = async (pem: string) => {
      if (failPublish) throw new Error('API server unavailable');
      published.push(roots(pem));
      return Promise.resolve();
    };
    server = await startWebhookServer({ host: '127.0.0.1', port: 0, certificate: certs.certificate, deps });
    certs.replaceCa(next);
    expect(roots(certs.bundlePem)).toEqual([oldCa, 'CN=sluice webhook test CA 2']);
    // The bundle could not be published: the leaf stays with the old CA.
    await expect(rotateOnce({ certs, server, publishBundle })).rejects.toThrow('API server unavailable');
    expect(certs.leafCertificate.issuer).toBe(oldCa);
    failPublish = false;
    expect(await rotateOnce({ certs, server, publishBundle })).toEqual({ published: true, leafRenewed: false });
    expect(published).toEqual([[oldCa, 'CN=sluice webhook test CA 2']]);
    // Published, but every API server may not have reloaded it yet: the leaf waits out the propagation time.
    expect(certs.leafCertificate.issuer).toBe(oldCa);
    env.setNow(new Date(Date.now() + 61_000));
    expect(await rotateOnce({ certs, server, publishBundle })).toEqual({ published: false, leafRenewed: true });
    expect(certs.leafCertificate.issuer).toBe('CN=sluice webhook test CA 2');
    expect(await servedSerial(server.port, next.root.toString('pem'))).toBe(certs.leafCertificate.serialNumber.toLowerCase());
    expect(roots(certs.bundlePem)).toEqual(['CN=sluice webhook test CA 2', oldCa]);
    // After the overlap (a leaf lifetime) the old CA leaves the bundle, which is published again.
    env.setNow(new Date(Date.now() + 31 * DAY_MS));
    expect(await rotateOnce({ certs, server, publishBundle })).toEqual({ published: true, leafRenewed: true }); // the 30-day leaf is due too
    expect(published.at(-1)).toEqual(['CN=sluice webhook test CA 2']);
    expect(roots(certs.bundlePem)).toEqual(['CN=sluice webhook test CA 2']);
  });

  it('reload a TLS directory when it changes, and keep the current pair when it breaks', async () => {
    const dir = tempDir('sluice-webhook-tls-');
    const env = defaultEnv();
    try {
      const ca = await newCa(env);
      const issue = async () => {
        const leaf = await issueLeaf(ca, { dns: LOOPBACK.dns, ips: LOOPBACK.ips, days: 30 }, env);
        if (!leaf.ok) throw new Error('issue failed');
        await saveSecret(dir.dir, leaf.value, webcrypto);
        return leaf.value.certificate.serialNumber.toLowerCase();
      };
      const first = await issue();
      const read = await readServingDir(dir.dir, new Date(), webcrypto);
      if (!read.ok) throw new Error(read.problems.join('\n'));
      server = await startWebhookServer({ host: '127.0.0.1', port: 0, certificate: read.value.certificate, deps });
      const running = server;
      const changes: ServingDir[] = [];
      const problems: string[][] = [];
      const stop = new AbortController();
      watchServingDir({ dir: dir.dir, initial: read.value, intervalMs: 50, now: () => new Date(), crypto: webcrypto, signal: stop.signal, onChange: (next) => {
        changes.push(next);
        running.setCertificate(next.certificate);
      }, onProblem: (p) => problems.push([...p]) });
      const caPem = read.value.caPem;
      expect(await servedSerial(server.port, caPem)).toBe(first);
      const second = await issue();
      await eventually(async () => (await servedSerial(running.port, caPem)) === second, 'the new certificate to be served');
      expect(changes).toHaveLength(1);
      // A key that is not the certificate's: reported once, never served.
      const stray = await issueLeaf(ca, { dns: ['other'], days: 30 }, env);
      if (!stray.ok) throw new Error('issue failed');
      const key = fs.readFileSync(`${dir.dir}/tls.key`, 'utf8');
      await saveSecret(dir.dir, stray.value, webcrypto);
      fs.writeFileSync(`${dir.dir}/tls.key`, key);
      await eventually(() => problems.length > 0, 'the broken directory to be reported');
      expect(problems[0]?.join('\n')).toMatch(/tls\.key.*key\.mismatch/);
      expect(await servedSerial(running.port, caPem)).toBe(second);
      expect(changes).toHaveLength(1);
      stop.abort();
    } finally {
      dir.remove();
    }
  });
});

describe('caBundlePatch', () => {
  const config = (bundles: (string | undefined)[]) => ({
    metadata: { name: 'sluice-pods', resourceVersion: '42' },
    webhooks: bundles.map((b, i) => ({ name: `w${i}`, clientConfig: { url: 'https://127.0.0.1/x', ...(b !== undefined ? { caBundle: b } : {}) } })),
  });
  it('sets each webhook that lacks or differs, guarded by the resourceVersion read', () => {
    expect(caBundlePatch(config([undefined, 'old', 'new']), 'new')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'new' },
      { op: 'replace', path: '/webhooks/1/clientConfig/caBundle', value: 'new' },
    ]);
    expect(caBundlePatch(config(['new', 'new']), 'new')).toEqual([]);
    expect(caBundlePatch({ metadata: {}, webhooks: [] }, 'new')).toEqual([]);
  });
});
