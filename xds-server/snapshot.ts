/**
 * Immutable, reference-consistent snapshots of encoded resources, versioned by content hash
 * (go-control-plane's shape). A snapshot is built once by `createSnapshot`, which refuses an
 * inconsistent set, so an inconsistent snapshot can never reach the cache.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../problems/index.js';
import { PUSH_ORDER, typeInfo, type TypeUrl } from './type-urls.js';

/** A `{typeUrl, name}` pair naming one resource (e.g. the route config a listener points at). */
export interface ResourceRef {
  readonly typeUrl: TypeUrl;
  readonly name: string;
}

/** One resource as the caller hands it in: its message already encoded (envoy-api `encodeMessage`). */
export interface ResourceInput {
  readonly typeUrl: TypeUrl;
  readonly name: string;
  /** The encoded message (e.g. a `Listener`), not wrapped in `Any`. The server never re-encodes it. */
  readonly body: Uint8Array;
  /** What this resource points at: listener → route configs, cluster → its EDS service name. */
  readonly references?: readonly ResourceRef[];
}

/** A resource inside a snapshot: the input plus its version, the content hash of `body`. */
export interface Resource {
  readonly typeUrl: TypeUrl;
  readonly name: string;
  readonly body: Uint8Array;
  readonly version: string;
  readonly references: readonly ResourceRef[];
}

/**
 * Why a set of resources cannot become a snapshot, as a `Diagnostic` (the project's one problem
 * type): `snapshot.invalid` (a malformed input, at its field path), `snapshot.duplicate` and
 * `snapshot.unresolved` (a reference to a resource the set does not hold), each naming the resource.
 * Every problem is listed, not just the first.
 */
export type ConsistencyProblem = Diagnostic;

/** The path is the problem's `path` only: formatters write it before the message. */
const invalid = (path: string, message: string): ConsistencyProblem => ({ severity: 'error', code: 'snapshot.invalid', path, message });
const about = (typeUrl: string, name: string): Diagnostic['subject'] => ({ kind: 'resource', type: shortOf(typeUrl), name });

export type SnapshotResult =
  | { readonly ok: true; readonly snapshot: Snapshot }
  | { readonly ok: false; readonly problems: readonly ConsistencyProblem[] };

/** The resources of one type with their type version. */
export interface TypeResources {
  /** Hash of the sorted `name:version` pairs; equal sets have equal versions on every node. */
  readonly version: string;
  /** Resources by name, in name order. */
  readonly byName: ReadonlyMap<string, Resource>;
}

/** Content hash used for every version: 16 characters of base64url SHA-256. */
export function contentHash(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('base64url').slice(0, 16);
}

/** The version of a set of resources: the hash of their sorted `name:version` pairs. */
export function setVersion(resources: Iterable<Pick<Resource, 'name' | 'version'>>): string {
  const pairs = [...resources].map((r) => `${r.name}:${r.version}`).sort();
  return contentHash(pairs.join('\n'));
}

/** Builds `TypeResources` from resources of one type (names must be unique). */
export function typeResources(resources: readonly Resource[]): TypeResources {
  const sorted = [...resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { version: setVersion(sorted), byName: new Map(sorted.map((r) => [r.name, r])) };
}

/** Turns one input into a resource (hashing its bytes). Returns a problem when the input is malformed. */
export function toResource(input: ResourceInput, path: string): Resource | ConsistencyProblem {
  if (typeof input.typeUrl !== 'string' || !typeInfo(input.typeUrl)) {
    return invalid(`${path}.typeUrl`, `${String(input.typeUrl)} is not a served type`);
  }
  if (typeof input.name !== 'string' || input.name === '' || input.name === '*') {
    return invalid(`${path}.name`, 'must be a non-empty name other than "*"');
  }
  // A set's version hashes its `name:version` pairs one per line: a name with a line break could
  // make two different sets hash alike.
  if (/[\r\n]/.test(input.name)) return invalid(`${path}.name`, 'must not contain a line break');
  if (!(input.body instanceof Uint8Array)) {
    return invalid(`${path}.body`, 'must be the encoded message bytes');
  }
  const references = input.references ?? [];
  for (const [i, ref] of references.entries()) {
    if (!typeInfo(ref.typeUrl) || typeof ref.name !== 'string' || ref.name === '') {
      return invalid(`${path}.references[${i}]`, 'not a {typeUrl, name} of a served type');
    }
  }
  return { typeUrl: input.typeUrl, name: input.name, body: input.body, version: contentHash(input.body), references };
}

const EMPTY_TYPE: TypeResources = typeResources([]);

/** An immutable set of resources, per type. Build one with `createSnapshot`. */
export class Snapshot {
  /** @internal use `createSnapshot`. */
  constructor(private readonly types: ReadonlyMap<TypeUrl, TypeResources>) {}

  /** The resources and version of one type (an empty set when the snapshot has none). */
  of(typeUrl: TypeUrl): TypeResources {
    return this.types.get(typeUrl) ?? EMPTY_TYPE;
  }
  /** The version of one type. */
  version(typeUrl: TypeUrl): string {
    return this.of(typeUrl).version;
  }
  /** One resource, or `undefined`. */
  get(typeUrl: TypeUrl, name: string): Resource | undefined {
    return this.of(typeUrl).byName.get(name);
  }
  /** Every type's version, in push order (for logs and status). */
  versions(): Readonly<Record<string, string>> {
    return Object.fromEntries(PUSH_ORDER.map((t) => [t.short, this.version(t.typeUrl)]));
  }
}

/** A snapshot with no resources: what a node with no snapshot and no default sees. */
export const EMPTY_SNAPSHOT = new Snapshot(new Map());

/**
 * Builds a snapshot, or lists every problem: malformed inputs, duplicate `{typeUrl, name}` pairs,
 * and references to resources the set does not hold. Pure; never throws on bad input.
 */
export function createSnapshot(inputs: readonly ResourceInput[]): SnapshotResult {
  const problems: ConsistencyProblem[] = [];
  const byType = new Map<TypeUrl, Map<string, Resource>>();
  const counts = new Map<string, number>();
  for (const [i, input] of inputs.entries()) {
    const r = toResource(input, `resources[${i}]`);
    if (!('version' in r)) {
      problems.push(r);
      continue;
    }
    const key = `${r.typeUrl}\n${r.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    let table = byType.get(r.typeUrl);
    if (!table) byType.set(r.typeUrl, (table = new Map()));
    if (!table.has(r.name)) table.set(r.name, r);
  }
  for (const [key, count] of counts) {
    if (count < 2) continue;
    const [typeUrl = '', name = ''] = key.split('\n');
    problems.push({ severity: 'error', code: 'snapshot.duplicate', path: '', message: `duplicate resource ${shortOf(typeUrl)} "${name}" (${count} times)`, subject: about(typeUrl, name) });
  }
  for (const table of byType.values()) {
    for (const r of table.values()) {
      for (const to of r.references) {
        if (byType.get(to.typeUrl)?.has(to.name)) continue;
        problems.push({
          severity: 'error',
          code: 'snapshot.unresolved',
          path: '',
          subject: about(r.typeUrl, r.name),
          message: `${shortOf(r.typeUrl)} "${r.name}" references ${shortOf(to.typeUrl)} "${to.name}", which the snapshot does not hold`,
        });
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const types = new Map<TypeUrl, TypeResources>();
  for (const [typeUrl, table] of byType) types.set(typeUrl, typeResources([...table.values()]));
  return { ok: true, snapshot: new Snapshot(types) };
}

function shortOf(typeUrl: string): string {
  return typeInfo(typeUrl)?.short ?? typeUrl;
}
