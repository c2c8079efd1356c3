/**
 * The validating webhook for L7Policy: the same loading, validation and compilation as `sluice
 * validate` and `sluice compile`, against the cluster's current inventory and the other stored
 * policies (an injected `PolicyView`). Errors deny the write (422 Invalid, each error as
 * `path: message [code]`); a valid policy is admitted with warnings when it is risky: it selects
 * no workload, its peers resolve to nothing, it is shadowed by or shadows another policy, and the
 * compiler's other warnings.
 *
 * The API server prunes fields the CRD schema does not know before admission, so a misspelt field
 * never reaches this webhook: it is reported by the API server's own field validation
 * (`kubectl apply --validate=strict`, `?fieldValidation=Strict`). See docs/kubernetes.md.
 */
import { compile, formatPath, loadSources, parsePath, type Diagnostic, type Inventory, type Policy } from '../../policy-compiler/index.js';
import { POLICY_GVK } from './names.js';
import { POLICY_URI_SCHEME, policySource } from './policy-source.js';
import { wrongKind, type AdmissionRequest, type DenialStatus, type Verdict } from './review.js';
import { formatShadowFinding, shadowing } from './shadowing.js';

/** What the cluster holds now: the inventory built from Pods and Services, and the stored policies. */
export interface ClusterSnapshot {
  readonly inventory: Inventory;
  readonly policies: readonly Policy[];
}

/** The controller's view of the cluster (informers); in tests a fixed one. May reject: the webhook then denies. */
export type PolicyView = () => Promise<ClusterSnapshot>;

export interface PolicyValidationOptions {
  readonly view: PolicyView;
  /** How long the view may take before the write is denied as unavailable (default 3 s). */
  readonly viewTimeoutMs?: number;
}

/** Most errors listed in a denial, and most warnings returned (the API server caps the Warning headers at 4 KiB). */
export const MAX_LISTED_ERRORS = 50;
export const MAX_WARNINGS = 12;
/** Warnings are single lines; longer ones are cut (the API server truncates past 256 characters when they add up). */
export const MAX_WARNING_LENGTH = 320;

/** `spec.x.y: message [code]`, the line a denial lists per error. */
export function diagnosticLine(d: Diagnostic): string {
  return `${d.path ? `${d.path}: ` : ''}${d.message} [${d.code}]`;
}

function singleLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= MAX_WARNING_LENGTH ? flat : `${flat.slice(0, MAX_WARNING_LENGTH - 1)}…`;
}

/** The causes of a denial: the field as the API server writes it (`spec.ingress[0].from`). */
function causes(errors: readonly Diagnostic[]): NonNullable<DenialStatus['details']>['causes'] {
  return errors.slice(0, MAX_LISTED_ERRORS).map((d) => ({ field: formatPath(parsePath(d.path)), message: d.message, reason: d.code }));
}

export function invalid(what: string, errors: readonly Diagnostic[]): Verdict {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map(diagnosticLine);
  const more = errors.length > listed.length ? [`… and ${errors.length - listed.length} more errors`] : [];
  const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
  return { allowed: false, status: { code: 422, reason: 'Invalid', message: [`${what} is invalid (${count}):`, ...listed, ...more].join('\n'), details: { causes: causes(errors) } } };
}

function unavailable(why: string): Verdict {
  return { allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message: `the cluster's inventory is not available to check the policy against (${why}); retry shortly` } };
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function warningLines(diagnostics: readonly string[]): string[] {
  const lines = diagnostics.map(singleLine);
  return lines.length <= MAX_WARNINGS ? lines : [...lines.slice(0, MAX_WARNINGS - 1), `… and ${lines.length - MAX_WARNINGS + 1} more warnings (run sluice validate and sluice compile on the policy)`];
}

/** Admits or denies one L7Policy CREATE or UPDATE. */
export async function validatePolicyRequest(request: AdmissionRequest, options: PolicyValidationOptions): Promise<Verdict> {
  const { group, version, kind } = request.kind;
  if (group !== POLICY_GVK.group || version !== POLICY_GVK.version || kind !== POLICY_GVK.kind) return wrongKind(POLICY_GVK, request.kind);
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return { allowed: true };
  const source = policySource(request.object, request.namespace);
  const load = loadSources([source]);
  const errors = load.diagnostics.filter((d) => d.severity === 'error');
  const what = `L7Policy ${source.name.slice(POLICY_URI_SCHEME.length)}`;
  if (errors.length > 0) return invalid(what, errors);
  const policy = load.policies[0];
  if (!policy) throw new Error('invariant: a policy without errors loads');

  let snapshot: ClusterSnapshot;
  try {
    snapshot = await withDeadline(options.view(), options.viewTimeoutMs ?? 3000);
  } catch (error) {
    return unavailable(error instanceof Error ? error.message : String(error));
  }
  // The stored version of this very policy is replaced by the new one.
  const others = snapshot.policies.filter((p) => p.key !== policy.key);
  const output = compile([...others, policy], snapshot.inventory);
  const mine = output.diagnostics.filter((d) => d.file === source.name);
  const compileErrors = mine.filter((d) => d.severity === 'error');
  if (compileErrors.length > 0) return invalid(what, compileErrors);
  const shadows = shadowing(output.ir, policy.key);
  const warnings = [
    ...load.diagnostics.filter((d) => d.severity === 'warning').map(diagnosticLine),
    ...mine.filter((d) => d.severity === 'warning').map(diagnosticLine),
    ...shadows.findings.map(formatShadowFinding),
    ...(shadows.truncated ? ['spec: too many rules to finish the shadowing check; the warnings above are those found [policy.shadow-unchecked]'] : []),
  ];
  return { allowed: true, warnings: warningLines([...new Set(warnings)]) };
}
