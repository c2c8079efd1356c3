/**
 * A Kubernetes Secret served to real Envoy 1.40 by `sluice controller`: Envoy's own config dump
 * holds the kubernetes.io/tls Secret's certificate (its key redacted) and a TLS chain for the
 * port, and the policy is Enforced from Envoy's ACKs; the Secret, created before the controller
 * started, was never compiled as missing (the first compile waits for its list). A rotation of the Secret reaches Envoy as a
 * new SDS version with the new certificate, while Envoy's listener and cluster counters show no
 * change at all (no Listener or Cluster churn).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Envoy } from '../../../bench/envoy/process.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { createLogger } from '../../../telemetry/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { leaf, newCa, type Pem } from '../../support/tls.js';
import { condition, ControllerBed } from './bed.js';

const SECRETS = '/api/v1/namespaces/shop/secrets';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const tlsSecret = (p: Pem) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-cert' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(p.cert), 'tls.key': b64(p.key) } });

interface DumpedSecret {
  readonly name: string;
  readonly version_info: string;
  readonly secret?: { readonly tls_certificate?: { readonly certificate_chain?: { readonly inline_bytes?: string; readonly inline_string?: string }; readonly private_key?: Record<string, string> } };
}

describeKube('a Kubernetes Secret served to real Envoy by the controller', () => {
  describeEnvoy('Envoy 1.40 as node-a\'s proxy', () => {
    let bed: ControllerBed;
    let controller: Controller;
    let envoy: Envoy;
    let first: Pem;
    let second: Pem;
    const logs: string[] = [];
    /** The SDS secret as Envoy holds it: its version and the certificate chain it serves. */
    const held = async (): Promise<{ version: string; chain: string; key: string } | undefined> => {
      const dump = await envoy.configDump('dynamic_active_secrets');
      const s = (dump.configs as unknown as DumpedSecret[]).find((c) => c.name === 'tls|shop/api-cert');
      const chain = s?.secret?.tls_certificate?.certificate_chain;
      if (!s || !chain) return undefined;
      return { version: s.version_info, chain: chain.inline_bytes ? Buffer.from(chain.inline_bytes, 'base64').toString('utf8') : chain.inline_string ?? '', key: JSON.stringify(s.secret?.tls_certificate?.private_key) };
    };
    const churn = async () => {
      const names = ['listener_manager.listener_added', 'listener_manager.listener_modified', 'listener_manager.listener_in_place_updated', 'listener_manager.listener_removed', 'cluster_manager.cluster_added', 'cluster_manager.cluster_modified', 'cluster_manager.cluster_removed'];
      return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await envoy.stat(n)] as const)));
    };

    beforeAll(async () => {
      bed = await ControllerBed.start();
      const ca = await newCa('k8s secrets envoy CA');
      first = await leaf(ca, { dns: ['api.shop'] });
      second = await leaf(ca, { dns: ['api.shop'] });
      await bed.pod({ name: 'api-0', namespace: 'shop', labels: { app: 'api' }, ip: '10.1.0.7', node: 'node-a', ports: [8443] });
      await bed.must('POST', SECRETS, tlsSecret(first));
      await bed.applyPolicy('shop', 'tls-api', { selector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [{ ports: [{ port: 8443 }], terminatingTLS: { secret: { name: 'api-cert' } } }] }] });
      const ports = { inboundPort: await freePort(), outboundPort: await freePort() };
      controller = await bed.controller({ identity: 'replica-1', proxyPorts: () => ports, logger: createLogger({ level: 'info', write: (line) => logs.push(line) }) });
      await eventually(() => controller.leader.isLeading(), 'the only replica to lead', 20_000);
      envoy = await Envoy.start({ node: 'node-a', xds: { host: '127.0.0.1', port: controller.xdsPort }, admin: { host: '127.0.0.1', port: await freePort() } });
    }, 120_000);

    afterAll(async () => {
      await envoy?.stop();
      await controller?.close();
      await bed?.stop();
    }, 60_000);

    it('Envoy holds the Secret\'s certificate (the key redacted) and a TLS chain for the port; the policy is Enforced from its ACKs', async () => {
      const secret = await eventually(async () => {
        const h = await held();
        return h?.chain === first.cert ? h : undefined;
      }, 'the certificate in Envoy\'s dump', 30_000);
      expect(secret.key).toContain('[redacted]');
      expect(secret.key).not.toContain('PRIVATE KEY');
      const listeners = JSON.stringify(await envoy.configDump('dynamic_listeners'));
      expect(listeners).toContain('"transport_protocol":"tls"');
      expect(listeners).toContain('tls|shop/api-cert');
      await eventually(async () => condition((await bed.policy('shop', 'tls-api')).status, 'Enforced')?.status === 'True', 'Enforced from Envoy\'s ACKs', 30_000);
    }, 60_000);

    it('the Secret existed before the controller started: no compile ever took it for missing (the first waits for its list)', () => {
      expect(logs.some((l) => l.includes('configuration published'))).toBe(true);
      expect(logs.filter((l) => l.includes('does not exist') || l.includes('not read yet'))).toEqual([]);
    });

    it('a rotation reaches Envoy as a new SDS version with the new certificate, and no listener or cluster changes', async () => {
      const before = await held();
      const counters = await churn();
      // The counters are live (Envoy added its listeners and clusters), so an unchanged count means no change.
      expect(counters['listener_manager.listener_added']).toBeGreaterThan(0);
      expect(counters['cluster_manager.cluster_added']).toBeGreaterThan(0);
      await bed.must('PUT', `${SECRETS}/api-cert`, tlsSecret(second));
      const after = await eventually(async () => {
        const h = await held();
        return h?.chain === second.cert ? h : undefined;
      }, 'the rotated certificate in Envoy\'s dump', 30_000);
      expect(after.version).not.toBe(before?.version);
      // Give a stray Listener or Cluster push the time to land before counting.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await churn()).toEqual(counters);
      expect(await envoy.stat('listener_manager.total_listeners_active')).toBeGreaterThan(0);
    }, 60_000);
  });
});
