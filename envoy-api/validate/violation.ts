/**
 * What the checker reports, and the field paths it reports them at.
 *
 * A path is built while walking as a linked list of segments (a field name, a list index or a
 * map key) and is only rendered to a string when a violation is recorded, so walking a large
 * resource allocates no strings for the paths of fields that are fine.
 */
import type { Diagnostic } from '../../problems/index.js';

/**
 * One way in which a resource breaks a rule Envoy applies to what it receives.
 *
 * - `path`: where, in the JSON form: `filter_chains[0].filters[0].typed_config.stat_prefix`;
 *   map entries as `filter_metadata["envoy.lb"]`; the empty string is the resource itself.
 * - `rule`: which rule, as `<kind>.<name>`. PGV rules keep their names from `validate.proto`
 *   (`string.min_len`, `repeated.items` is never reported itself: its inner rule is, at the
 *   item's path). `oneof.required` is `(validate.required)` on a oneof. Rules that are not PGV
 *   are `json.*` (Envoy's JSON/YAML loader would refuse the shape), `envoy.*` (a check Envoy's
 *   C++ runs besides PGV), `pgv.unsupported` (an annotation this checker cannot evaluate: never
 *   silently treated as valid) and `check.*` (the checker's own limits).
 * - `message`: a sentence for a person.
 */
export interface Violation {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/** One step of a path: a field name, a list index, or a map key. */
export type PathSegment =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'key'; readonly key: string };

/** A path as a linked list, innermost segment first. `undefined` is the resource itself. */
export interface PathNode {
  readonly parent: PathNode | undefined;
  readonly segment: PathSegment;
}

export type Path = PathNode | undefined;

export function fieldPath(parent: Path, name: string): PathNode {
  return { parent, segment: { kind: 'field', name } };
}

export function indexPath(parent: Path, index: number): PathNode {
  return { parent, segment: { kind: 'index', index } };
}

export function keyPath(parent: Path, key: string): PathNode {
  return { parent, segment: { kind: 'key', key } };
}

/** Renders a path the way the violations show it. */
export function renderPath(path: Path): string {
  const segments: PathSegment[] = [];
  for (let node = path; node; node = node.parent) segments.push(node.segment);
  let out = '';
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    if (!segment) continue;
    switch (segment.kind) {
      case 'field':
        out += out === '' ? segment.name : `.${segment.name}`;
        break;
      case 'index':
        out += `[${segment.index}]`;
        break;
      case 'key':
        out += `[${JSON.stringify(segment.key)}]`;
        break;
      default: {
        const never: never = segment;
        throw new Error(`unreachable path segment ${String(never)}`);
      }
    }
  }
  return out;
}

/** A bounded list of violations: past `limit`, one `check.truncated` is added and the rest dropped. */
export class ViolationSink {
  readonly violations: Violation[] = [];
  private truncated = false;

  constructor(private readonly limit: number) {}

  /** True once the limit is reached: walkers stop early. */
  get full(): boolean {
    return this.truncated;
  }

  add(path: Path, rule: string, message: string): void {
    if (this.truncated) return;
    if (this.violations.length >= this.limit) {
      this.truncated = true;
      this.violations.push({
        path: renderPath(path),
        rule: 'check.truncated',
        message: `more than ${this.limit} violations; the rest are not reported`,
      });
      return;
    }
    this.violations.push({ path: renderPath(path), rule, message });
  }
}

/**
 * A violation as the project's one problem type: its rule is the code, and the resource it was
 * found in is the subject. (The checker runs on what sluice itself emits, in tests and benchmarks:
 * a violation is a sluice bug, not a user's bad input, so its own shape stays the checker's.)
 */
export function violationDiagnostic(v: Violation, resource: { readonly type: string; readonly name: string }): Diagnostic {
  return { severity: 'error', code: v.rule, path: v.path, message: v.message, subject: { kind: 'resource', type: resource.type, name: resource.name } };
}
