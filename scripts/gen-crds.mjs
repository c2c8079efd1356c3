// Generates the Kubernetes CustomResourceDefinitions in deploy/crds/ from the JSON Schemas that are
// the single source of truth (policy-compiler/schema/). `npm run gen` rewrites them;
// test/k8s/crds.test.ts fails when they drift, and the Kubernetes suites hand them to a real
// kube-apiserver, which must accept them as structural schemas.
//
// JSON Schema (draft-07) → OpenAPI v3 as the API server takes it: `$ref`s inlined, `const` as a
// one-value `enum`, `additionalProperties: false` dropped where `properties` are given (the two
// are mutually exclusive there; the API server prunes unknown fields before admission, so its
// field validation reports them: a warning by default, an error with `kubectl apply
// --validate=strict` / `?fieldValidation=Strict`; see docs/kubernetes.md), and the document keywords (`$schema`, `$id`, `title`)
// left out, a number-or-name as `x-kubernetes-int-or-string`. `metadata` is the API server's, so only the spec comes from the schema; the status
// is sluice's own, written by the controller.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The chart carries the same CRD (Helm installs crds/ before the templates); both are generated.
export const CRDS = [
  ['policy-compiler/schema/l7policy.schema.json', 'deploy/crds/l7policy.yaml'],
  ['policy-compiler/schema/l7policy.schema.json', 'deploy/helm/sluice/crds/l7policy.yaml'],
];

const DROPPED = new Set(['$schema', '$id', 'title', 'definitions']);

/** One schema node in the API server's form. */
function toOpenApi(node, definitions, seen = []) {
  if (Array.isArray(node)) return node.map((n) => toOpenApi(n, definitions, seen));
  if (typeof node !== 'object' || node === null) return node;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/definitions/', '');
    if (seen.includes(name)) throw new Error(`gen-crds: recursive $ref ${seen.join(' → ')} → ${name} cannot be inlined`);
    const { $ref: _ref, ...rest } = node;
    const target = toOpenApi(definitions[name], definitions, [...seen, name]);
    // A description beside the $ref is the more specific one.
    return { ...target, ...toOpenApi(rest, definitions, seen) };
  }
  if (Array.isArray(node.type)) return intOrString(node);
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if (key === 'const') {
      out.enum = [value];
      continue;
    }
    if (key === 'additionalProperties' && value === false && node.properties) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toOpenApi(v, definitions, seen)])) : toOpenApi(value, definitions, seen);
  }
  return out;
}

/**
 * A number-or-name field (`type: [integer, string]`, a port): OpenAPI has no union types, the API
 * server's form is `x-kubernetes-int-or-string` (its range and names are checked by sluice's own
 * validation, which the admission webhook runs).
 */
function intOrString(node) {
  const types = [...node.type].sort().join(',');
  if (types !== 'integer,string') throw new Error(`gen-crds: no OpenAPI form for type ${JSON.stringify(node.type)}`);
  return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], ...(node.description ? { description: node.description } : {}) };
}

const condition = {
  type: 'object',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: { type: 'string', maxLength: 316 },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    reason: { type: 'string', maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
    message: { type: 'string', maxLength: 32768 },
  },
};

/** The status the controller writes: conditions Accepted, Enforced, Rejected; the proxies' tally; since when it runs in audit. */
const STATUS = {
  type: 'object',
  description: 'Written by the sluice controller; never by users.',
  properties: {
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'The generation of the spec this status describes.' },
    auditSince: { type: 'string', format: 'date-time', description: 'In audit mode: since when every proxy has run this generation in audit (the rollout guard reads it; see docs/kubernetes.md).' },
    conditions: { type: 'array', maxItems: 16, items: condition, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
    enforced: {
      type: 'object',
      description: 'How many of the proxies that must carry this generation have ACKed it.',
      properties: {
        acked: { type: 'integer', minimum: 0 },
        total: { type: 'integer', minimum: 0 },
        summary: { type: 'string', maxLength: 32, description: '`acked/total`, for kubectl get.' },
        pending: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 253 }, description: 'Proxies that have not ACKed yet (the first 64).' },
      },
    },
    rejected: {
      type: 'array',
      maxItems: 64,
      description: 'Proxies that NACKed the version holding this generation, with their reason.',
      items: { type: 'object', required: ['node', 'message'], properties: { node: { type: 'string', maxLength: 253 }, message: { type: 'string', maxLength: 4096 } } },
    },
  },
};

export function renderCrd(schemaPath) {
  const schema = JSON.parse(fs.readFileSync(path.join(root, schemaPath), 'utf8'));
  const kind = schema.properties.kind.const;
  const [group, version] = schema.properties.apiVersion.const.split('/');
  const singular = kind.toLowerCase();
  const plural = singular.endsWith('y') ? `${singular.slice(0, -1)}ies` : `${singular}s`;
  const spec = toOpenApi(schema.properties.spec, schema.definitions);
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, labels: { 'app.kubernetes.io/part-of': 'sluice' } },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular, shortNames: ['l7p'], categories: ['sluice'] },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Mode', type: 'string', jsonPath: '.spec.mode' },
            { name: 'Accepted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].status' },
            { name: 'Enforced', type: 'string', jsonPath: '.status.enforced.summary', description: 'proxies that ACKed / proxies that must' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: schema.description,
              required: ['spec'],
              properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec, status: STATUS },
            },
          },
        },
      ],
    },
  };
  const banner = `# Generated from ${schemaPath} by scripts/gen-crds.mjs (npm run gen). Do not edit.\n`;
  return banner + stringify(crd, { lineWidth: 0 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [schemaPath, outPath] of CRDS) {
    fs.mkdirSync(path.dirname(path.join(root, outPath)), { recursive: true });
    fs.writeFileSync(path.join(root, outPath), renderCrd(schemaPath));
    console.log(`wrote ${outPath}`);
  }
}
