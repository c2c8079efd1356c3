/**
 * deploy/webhooks/*.yaml say what k8s/admission/names.ts says: the configuration and webhook
 * names, the paths, the labels; and every webhook is fail-safe as documented (Fail, scoped by
 * selectors for Pods, sluice's own namespace and kube-system never matched, v1 reviews only,
 * timeouts within the server's request deadline, status writes not matched).
 */
import fs from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { AUDIT_FIRST, DEFAULT_REQUEST_TIMEOUT_MS, INJECT_LABEL, PATHS, ROLLOUT_LABEL, WEBHOOK_CONFIGURATIONS, WEBHOOKS } from '../../../k8s/admission/index.js';

interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  admissionReviewVersions: string[];
  timeoutSeconds: number;
  clientConfig: { service: { name: string; namespace: string; path: string; port: number } };
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  objectSelector?: { matchExpressions: { key: string; operator: string }[] };
  rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
}
const load = (file: string) => parse(fs.readFileSync(`deploy/webhooks/${file}`, 'utf8')) as { kind: string; metadata: { name: string }; webhooks: Webhook[] };

describe('deploy/webhooks', () => {
  const validating = load('validating.yaml');
  const mutating = load('mutating.yaml');
  const all = [...validating.webhooks, ...mutating.webhooks];

  it('names the configurations, webhooks and paths the server serves', () => {
    expect([validating.kind, validating.metadata.name, mutating.kind, mutating.metadata.name]).toEqual(['ValidatingWebhookConfiguration', WEBHOOK_CONFIGURATIONS.validating, 'MutatingWebhookConfiguration', WEBHOOK_CONFIGURATIONS.mutating]);
    expect(all.map((w) => [w.name, w.clientConfig.service.path])).toEqual([
      [WEBHOOKS.policy, PATHS.validatePolicy],
      [WEBHOOKS.rollout, PATHS.rolloutGuard],
      [WEBHOOKS.podsSidecar, PATHS.podsSidecar],
      [WEBHOOKS.podsNode, PATHS.podsNode],
      [WEBHOOKS.podsLabelled, PATHS.podsLabelled],
    ]);
    expect(new Set(all.map((w) => `${w.clientConfig.service.namespace}/${w.clientConfig.service.name}:${w.clientConfig.service.port}`))).toEqual(new Set(['sluice-system/sluice-webhook:443']));
  });

  it('fails closed, asks for v1 only, has no side effects, and times out before the server gives up on a request', () => {
    for (const w of all) {
      expect({ name: w.name, failurePolicy: w.failurePolicy, sideEffects: w.sideEffects, versions: w.admissionReviewVersions }).toEqual({ name: w.name, failurePolicy: 'Fail', sideEffects: 'None', versions: ['v1'] });
      expect(w.timeoutSeconds * 1000).toBeLessThanOrEqual(DEFAULT_REQUEST_TIMEOUT_MS);
    }
  });

  it('validates policy writes only (never the controller\'s status writes), the guard only where a namespace asks for it', () => {
    for (const w of validating.webhooks) expect(w.rules).toEqual([expect.objectContaining({ apiGroups: ['sluice.dev'], resources: ['l7policies'], operations: ['CREATE', 'UPDATE'] })]);
    expect(validating.webhooks[0]?.namespaceSelector).toBeUndefined();
    expect(validating.webhooks[1]?.namespaceSelector).toEqual({ matchLabels: { [ROLLOUT_LABEL]: AUDIT_FIRST } });
  });

  it('mutates Pods only where they opted in, never in kube-system or sluice\'s own namespace', () => {
    const selector = (w: Webhook | undefined) => w?.namespaceSelector?.matchExpressions ?? [];
    for (const w of mutating.webhooks) {
      expect(w.rules).toEqual([expect.objectContaining({ apiGroups: [''], resources: ['pods'], operations: ['CREATE'] })]);
      expect(selector(w)).toContainEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'sluice-system'] });
    }
    expect(selector(mutating.webhooks[0])).toContainEqual({ key: INJECT_LABEL, operator: 'In', values: ['sidecar'] });
    expect(selector(mutating.webhooks[1])).toContainEqual({ key: INJECT_LABEL, operator: 'In', values: ['node'] });
    expect(selector(mutating.webhooks[2])).toContainEqual({ key: INJECT_LABEL, operator: 'DoesNotExist' });
    expect(mutating.webhooks[2]?.objectSelector).toEqual({ matchExpressions: [{ key: INJECT_LABEL, operator: 'Exists' }] });
  });
});
