/**
 * An L7Policy object of the API server → the source document the CLI would read: `apiVersion`,
 * `kind`, `metadata.name` and `namespace`, `spec`, named `k8s://<namespace>/<name>` so every
 * diagnostic carries a file name that says where the policy lives. Everything else of the object
 * (status, managedFields, annotations, labels) is the API server's or the controller's, not policy.
 */
import { loadSources, type Diagnostic, type Policy, type SourceFile } from '../../policy-compiler/index.js';
import { isRecord } from './review.js';

export const POLICY_URI_SCHEME = 'k8s://';

export function policyUri(namespace: string, name: string): string {
  return `${POLICY_URI_SCHEME}${namespace}/${name}`;
}

/**
 * The source document of an object. `namespace` is the request's (the API server's word for
 * where the object lives). A CREATE with only `generateName` has no name yet: the policy is
 * checked as `<generateName>generated`, and its key in messages says so.
 */
export function policySource(object: unknown, namespace: string): SourceFile {
  const value = isRecord(object) ? object : {};
  const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
  const given = metadata['name'];
  const generate = metadata['generateName'];
  const name = typeof given === 'string' && given !== '' ? given : typeof generate === 'string' && generate !== '' ? `${generate}generated` : given;
  const document = {
    apiVersion: value['apiVersion'],
    kind: value['kind'],
    metadata: { name, namespace },
    ...(value['spec'] !== undefined ? { spec: value['spec'] } : {}),
  };
  return { name: policyUri(namespace, typeof name === 'string' ? name : ''), text: JSON.stringify(document) };
}

export interface LoadedPolicies {
  readonly policies: readonly Policy[];
  /** Objects that do not load (they were stored before a stricter sluice, or by hand around the webhook). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Loads stored objects (as a list from the API server returns them) into the model, as the webhook loads one. */
export function loadPolicyObjects(objects: readonly unknown[]): LoadedPolicies {
  const files = objects.map((o) => {
    const meta = isRecord(o) && isRecord(o['metadata']) ? o['metadata'] : {};
    return policySource(o, typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default');
  });
  const load = loadSources(files);
  return { policies: load.policies, diagnostics: load.diagnostics };
}
