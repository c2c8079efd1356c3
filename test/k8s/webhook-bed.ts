/**
 * A real kube-apiserver that calls sluice's webhooks: the L7Policy CRD installed, the webhook
 * HTTPS server on loopback with a certificate from certs/, the configurations of deploy/webhooks
 * applied with `clientConfig.url` pointing at it, and their caBundle filled by `syncCaBundle`
 * (the same function the webhook runs in a cluster). Namespaces for each case.
 */
import fs from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { ADMIN_TOKEN, ApiServer } from '../../bench/k8s/apiserver.js';
import {
  kubeApi, startWebhookServer, storedPoliciesView, syncCaBundle, SLUICE_WEBHOOK_CONFIGURATIONS,
  type KubeApi, type KubeResponse, type ServingCertificates, type WebhookDeps, type WebhookServer,
} from '../../k8s/admission/index.js';
import { eventually } from '../support/poll.js';
import { inventory } from './admission/fixtures.js';
import { servingCerts } from './admission/https.js';

export const NAMESPACES: Readonly<Record<string, Record<string, string>>> = {
  shop: {},
  guarded: { 'sluice.dev/rollout': 'audit-first' },
  'inject-sidecar': { 'sluice.dev/inject': 'sidecar' },
  'inject-node': { 'sluice.dev/inject': 'node' },
  plain: {},
};

/** `299 - "text"` Warning headers → the texts. */
export function warnings(r: KubeResponse): string[] {
  const raw = r.headers['warning'];
  const text = Array.isArray(raw) ? raw.join(', ') : raw ?? '';
  return [...text.matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string);
}

/** deploy/webhooks/*.yaml, each webhook's clientConfig turned into a URL on `base`. */
export function configurationsFor(base: string): Record<string, unknown>[] {
  return ['validating.yaml', 'mutating.yaml'].map((f) => {
    const doc = parse(fs.readFileSync(`deploy/webhooks/${f}`, 'utf8')) as { webhooks: Record<string, unknown>[] } & Record<string, unknown>;
    const webhooks = doc.webhooks.map((w) => {
      const service = (w['clientConfig'] as { service?: { path?: string } } | undefined)?.service;
      return { ...w, clientConfig: { url: `${base}${service?.path ?? ''}` } };
    });
    return { ...doc, webhooks };
  });
}

export class WebhookBed {
  private constructor(
    readonly api: ApiServer,
    readonly admin: KubeApi,
    readonly certs: ServingCertificates,
    public server: WebhookServer,
    readonly deps: WebhookDeps,
  ) {}

  /** `deps` without `policies` gets a view of the fixture inventory and the policies the API server stores. */
  static async start(deps: Omit<WebhookDeps, 'policies'> & Partial<Pick<WebhookDeps, 'policies'>>, certificates?: ServingCertificates): Promise<WebhookBed> {
    const api = await ApiServer.start();
    try {
      const admin = kubeApi({ server: api.url, ca: Buffer.from(api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN });
      const must = async (r: Promise<KubeResponse>, what: string, ok = [200, 201]) => {
        const got = await r;
        if (!ok.includes(got.status)) throw new Error(`${what}: ${got.status} ${got.body}`);
        return got;
      };
      await must(admin.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', parse(fs.readFileSync('deploy/crds/l7policy.yaml', 'utf8'))), 'the CRD');
      for (const [name, labels] of Object.entries(NAMESPACES)) await must(admin.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }), `namespace ${name}`);
      const full: WebhookDeps = { policies: deps.policies ?? { view: storedPoliciesView(admin, inventory()) }, ...deps };
      const certs = certificates ?? (await servingCerts());
      const server = await startWebhookServer({ host: '127.0.0.1', port: 0, certificate: certs.certificate, deps: full });
      const bed = new WebhookBed(api, admin, certs, server, full);
      for (const config of configurationsFor(server.url)) {
        await must(admin.request('POST', `/apis/admissionregistration.k8s.io/v1/${String(config['kind']).toLowerCase()}s`, config), `${String(config['kind'])}`);
      }
      const synced = await syncCaBundle(admin, SLUICE_WEBHOOK_CONFIGURATIONS, certs.bundlePem);
      if (synced.map((s) => s.patched).join() !== '2,3') throw new Error(`caBundle sync patched ${JSON.stringify(synced)}`);
      await bed.untilCalled();
      return bed;
    } catch (error) {
      await api.stop();
      throw error;
    }
  }

  /** Waits until the API server calls the policy webhook (configurations take effect within about 50 ms; the CR endpoint a little later). */
  async untilCalled(): Promise<void> {
    await eventually(async () => {
      const r = await this.admin.request('POST', '/apis/sluice.dev/v1alpha1/namespaces/shop/l7policies?dryRun=All', { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'probe' }, spec: { selector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 80 }] }] }] } });
      if (r.status === 404) return false;
      if (r.body.includes('cidr.invalid')) return true;
      throw new Error(`${r.status} ${r.body.slice(0, 300)}`);
    }, 'the API server to call the webhook', 30_000);
  }

  async create(namespace: string, object: Record<string, unknown>, query = ''): Promise<KubeResponse> {
    const plural = object['kind'] === 'Pod' ? `/api/v1/namespaces/${namespace}/pods` : `/apis/sluice.dev/v1alpha1/namespaces/${namespace}/l7policies`;
    const metadata = { ...(object['metadata'] as Record<string, unknown> | undefined), namespace };
    return this.admin.request('POST', `${plural}${query}`, { ...object, metadata });
  }

  async patchPolicy(namespace: string, name: string, patch: Record<string, unknown>, subresource = ''): Promise<KubeResponse> {
    return this.admin.request('PATCH', `/apis/sluice.dev/v1alpha1/namespaces/${namespace}/l7policies/${name}${subresource}`, patch, 'application/merge-patch+json');
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.api.stop();
  }
}

/** The `message` of a Status body. */
export function messageOf(r: KubeResponse): string {
  return (JSON.parse(r.body) as { message?: string }).message ?? '';
}

export function yamlDocuments(file: string): unknown[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);
}

/**
 * How the API server reports a webhook that is down: refused, or, when it still holds a kept-alive
 * connection to the closed server, a broken one (pipe, reset, EOF, or Go's "use of closed network
 * connection" when the close lands while its client writes), depending on timing.
 */
export const WEBHOOK_DOWN = String.raw`(dial tcp 127\.0\.0\.1:\d+: connect: connection refused|write tcp \S+: write: broken pipe|read tcp \S+: read: connection reset by peer|use of closed network connection|EOF)`;
