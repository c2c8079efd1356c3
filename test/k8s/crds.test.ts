/**
 * The CRDs are generated from the policy schema (the single source of truth) and a real
 * kube-apiserver takes them: Established as structural schemas, the example policies stored, a
 * schema violation refused with its field path, unknown fields pruned (before admission: the API
 * server's field validation reports them, webhooks-policies.test.ts), the status subresource writable, and the printer
 * columns served.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { ApiServer } from '../../bench/k8s/apiserver.js';
import { describeKube } from '../support/kube.js';
import { eventually } from '../support/poll.js';

interface Generator {
  readonly CRDS: readonly (readonly [string, string])[];
  renderCrd(schemaPath: string): string;
}
const generator = async () => (await import(path.resolve('scripts/gen-crds.mjs'))) as Generator;

describe('generated CRDs', () => {
  it('are what `npm run gen` produces from the schemas (regenerate and commit when this fails)', async () => {
    const { CRDS, renderCrd } = await generator();
    expect(CRDS.length).toBeGreaterThan(0);
    for (const [schema, out] of CRDS) expect({ file: out, text: fs.readFileSync(out, 'utf8') }).toEqual({ file: out, text: renderCrd(schema) });
  });
});

const POLICIES = '/apis/sluice.dev/v1alpha1/namespaces/shop/l7policies';

describeKube('a real kube-apiserver takes the L7Policy CRD', () => {
  let api: ApiServer;

  beforeAll(async () => {
    api = await ApiServer.start();
    const crd = parse(fs.readFileSync('deploy/crds/l7policy.yaml', 'utf8')) as unknown;
    const created = await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (created.status !== 201) throw new Error(`CRD refused (${created.status}): ${created.body}`);
    expect((await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).status).toBe(201);
  }, 120_000);

  afterAll(() => api?.stop(), 30_000);

  it('is Established, as a structural schema', async () => {
    await eventually(async () => {
      const crd = (await api.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/l7policies.sluice.dev')).json() as { status?: { conditions?: Array<{ type: string; status: string; message?: string }> } };
      const nonStructural = crd.status?.conditions?.find((c) => c.type === 'NonStructuralSchema' && c.status === 'True');
      if (nonStructural) throw new Error(`not structural: ${nonStructural.message ?? ''}`);
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    }, 'the CRD to be Established', 20_000);
  });

  it('stores every example policy', async () => {
    const docs = fs.readdirSync('examples/policies').flatMap((f) => parseAllDocuments(fs.readFileSync(path.join('examples/policies', f), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } }));
    const policies = docs.filter((d) => d.kind === 'L7Policy');
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) {
      const ns = p.metadata.namespace ?? 'default';
      if (ns !== 'shop') await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await eventually(async () => {
        const r = await api.request('POST', `/apis/sluice.dev/v1alpha1/namespaces/${ns}/l7policies`, p);
        if (r.status === 201) return true;
        if (r.status !== 404) throw new Error(`${r.status}: ${r.body}`); // 404: the CR endpoint is not served yet
        return false;
      }, 'the policy to be stored', 20_000);
    }
  });

  it('refuses a schema violation with the exact field path', async () => {
    const r = await api.request('POST', POLICIES, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'bad' }, spec: { mode: 'sometimes', selector: {} } });
    expect(r.status).toBe(422);
    expect(r.body).toContain('spec.mode: Unsupported value: \\"sometimes\\"');
    const missing = await api.request('POST', POLICIES, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'bad2' }, spec: {} });
    expect(missing.status).toBe(422);
    expect(missing.body).toContain('spec.selector: Required value');
  });

  it('prunes a field the schema does not know (field validation reports it: webhooks-policies.test.ts), and keeps the rest', async () => {
    const r = await api.request('POST', POLICIES, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'typo' }, spec: { selector: { matchLabels: { app: 'x' } }, selecter: {} } });
    expect(r.status).toBe(201);
    expect((r.json() as { spec: Record<string, unknown> }).spec).toEqual({ selector: { matchLabels: { app: 'x' } } });
  });

  it('takes status through the status subresource only, and serves the printer columns', async () => {
    const status = { observedGeneration: 1, conditions: [{ type: 'Accepted', status: 'True', reason: 'Valid', message: 'valid', lastTransitionTime: '2026-12-01T00:00:00Z' }], enforced: { acked: 1, total: 2, summary: '1/2', pending: ['node-b'] } };
    const patched = await api.request('PATCH', `${POLICIES}/typo/status`, { status }, { contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    expect((((await api.request('GET', `${POLICIES}/typo`)).json()) as { status: unknown }).status).toEqual(status);
    // A write of status through the main resource is ignored: status belongs to the controller.
    await api.request('PATCH', `${POLICIES}/typo`, { status: { observedGeneration: 99 } }, { contentType: 'application/merge-patch+json' });
    expect((((await api.request('GET', `${POLICIES}/typo`)).json()) as { status: { observedGeneration: number } }).status.observedGeneration).toBe(1);
    const asTable = (await api.request('GET', POLICIES, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).body;
    const parsed = JSON.parse(asTable) as { columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[] }> };
    expect(parsed.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Mode', 'Accepted', 'Enforced', 'Age']);
    expect(parsed.rows.find((r) => r.cells[0] === 'typo')?.cells.slice(2, 4)).toEqual(['True', '1/2']);
  });
});
