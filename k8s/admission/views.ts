/**
 * Two `PolicyView`s the webhook can run with until the controller's informers provide one: the
 * policies stored in the API server (listed on each call) or in policy files, and an inventory
 * from a file. Each call reads afresh, so the answer is about the cluster as it is.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_PARSE_LIMITS, formatDiagnostic, loadSources, type Inventory, type Policy, type SourceFile } from '../../policy-compiler/index.js';
import type { KubeApi } from './kube-api.js';
import { loadPolicyObjects } from './policy-source.js';
import { isRecord } from './review.js';
import type { PolicyView } from './validate-policy.js';

export const POLICIES_PATH = '/apis/sluice.dev/v1alpha1/l7policies';

/** Every L7Policy the API server stores, in every namespace, loaded as the webhook loads one (those that do not load are left out). */
export async function listStoredPolicies(api: KubeApi): Promise<readonly Policy[]> {
  const got = await api.request('GET', POLICIES_PATH);
  if (got.status !== 200) throw new Error(`GET ${POLICIES_PATH}: ${got.status}`);
  const list: unknown = JSON.parse(got.body);
  const items = isRecord(list) && Array.isArray(list['items']) ? list['items'] : [];
  return loadPolicyObjects(items).policies;
}

async function sourceFile(file: string): Promise<SourceFile> {
  const info = await stat(file);
  if (info.size > DEFAULT_PARSE_LIMITS.maxFileBytes) throw new Error(`${file}: ${info.size} bytes; the limit is ${DEFAULT_PARSE_LIMITS.maxFileBytes}`);
  return { name: file, text: await readFile(file, 'utf8') };
}

/** The inventory in `file`; throws with the diagnostics when it is not a valid one. */
export async function readInventory(file: string): Promise<Inventory> {
  const load = loadSources([await sourceFile(file)]);
  if (!load.inventory) {
    const errors = load.diagnostics.filter((d) => d.severity === 'error');
    throw new Error(errors.length > 0 ? errors.map((d) => formatDiagnostic(d)).join('; ') : `${file}: no Inventory document`);
  }
  return load.inventory;
}

/** The policies of the YAML and JSON files in `dirs` (recursively); invalid documents are left out. */
export async function readPolicyDirs(dirs: readonly string[]): Promise<readonly Policy[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.(ya?ml|json)$/.test(entry.name)) files.push(full);
    }
  };
  for (const dir of dirs) await walk(dir);
  const sources = await Promise.all(files.sort().map(sourceFile));
  return loadSources(sources).policies;
}

/** A view from files and, optionally, the policies stored in the API server. */
export function fileView(o: { readonly inventory: string; readonly policyDirs?: readonly string[]; readonly api?: KubeApi }): PolicyView {
  return async () => {
    const [inventory, fromFiles, stored] = await Promise.all([readInventory(o.inventory), readPolicyDirs(o.policyDirs ?? []), o.api ? listStoredPolicies(o.api) : Promise.resolve([])]);
    const byKey = new Map<string, Policy>();
    for (const p of [...fromFiles, ...stored]) byKey.set(p.key, p);
    return { inventory, policies: [...byKey.values()] };
  };
}

/** A view with a fixed inventory and the policies the API server stores now (tests, and a webhook beside a controller that has no view yet). */
export function storedPoliciesView(api: KubeApi, inventory: Inventory): PolicyView {
  return async () => ({ inventory, policies: await listStoredPolicies(api) });
}
