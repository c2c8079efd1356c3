/**
 * The AdmissionReview v1 contract (admission.k8s.io/v1): the request the API server sends, checked
 * from `unknown` into a typed value with a precise reason when it is not one, and the responses a
 * webhook gives (allow, deny with a Status, allow with a JSON Patch, warnings). Pure.
 */
import type { JsonPatchOperation } from './json-patch.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The part of `request` the webhooks read; `object` and `oldObject` stay `unknown` until a handler checks them. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly operation: Operation;
  /** Empty for a CREATE with `generateName`. */
  readonly name: string;
  /** Empty for cluster-scoped objects. */
  readonly namespace: string;
  readonly subResource?: string;
  readonly object?: unknown;
  readonly oldObject?: unknown;
  readonly dryRun: boolean;
}

/** metav1.Status, as a denial carries it; the API server passes code, reason, message and details on to the client. */
export interface DenialStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: { readonly causes: readonly { readonly field: string; readonly message: string; readonly reason: string }[] };
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: DenialStatus & { readonly status: 'Failure' };
  readonly warnings?: readonly string[];
  readonly patchType?: 'JSONPatch';
  /** Base64 of the JSON Patch (RFC 6902) document. */
  readonly patch?: string;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

/** What a handler decides; `respond` turns it into the response for one request. */
export type Verdict =
  | { readonly allowed: true; readonly warnings?: readonly string[]; readonly patch?: readonly JsonPatchOperation[] }
  | { readonly allowed: false; readonly status: DenialStatus; readonly warnings?: readonly string[] };

export function respond(uid: string, verdict: Verdict): AdmissionReviewResponse {
  const warnings = verdict.warnings && verdict.warnings.length > 0 ? { warnings: verdict.warnings } : {};
  if (!verdict.allowed) return review({ uid, allowed: false, status: { status: 'Failure', ...verdict.status }, ...warnings });
  const patch = verdict.patch && verdict.patch.length > 0 ? { patchType: 'JSONPatch' as const, patch: Buffer.from(JSON.stringify(verdict.patch)).toString('base64') } : {};
  return review({ uid, allowed: true, ...warnings, ...patch });
}

function review(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** Longest uid accepted (the API server's are UUIDs, 36 characters). */
export const MAX_UID_LENGTH = 128;

export type ParsedReview = { readonly ok: true; readonly request: AdmissionRequest } | { readonly ok: false; readonly message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a decoded body against the AdmissionReview v1 request shape; the message names the first field that is wrong. */
export function parseReview(body: unknown): ParsedReview {
  const fail = (message: string): ParsedReview => ({ ok: false, message });
  if (!isRecord(body)) return fail(`expected an AdmissionReview object, got ${describe(body)}`);
  if (body['kind'] !== 'AdmissionReview') return fail(`kind: expected AdmissionReview, got ${describe(body['kind'])}`);
  const version = body['apiVersion'];
  if (version !== ADMISSION_API_VERSION) {
    const hint = version === 'admission.k8s.io/v1beta1' ? ' (v1beta1 is not served: list only v1 in admissionReviewVersions)' : '';
    return fail(`apiVersion: expected ${ADMISSION_API_VERSION}, got ${describe(version)}${hint}`);
  }
  const request = body['request'];
  if (!isRecord(request)) return fail(`request: expected an object, got ${describe(request)}`);
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid.length === 0) return fail(`request.uid: expected a non-empty string, got ${describe(uid)} (a response must echo it)`);
  if (uid.length > MAX_UID_LENGTH) return fail(`request.uid: ${uid.length} characters; at most ${MAX_UID_LENGTH}`);
  const operation = request['operation'];
  if (!OPERATIONS.includes(operation as Operation)) return fail(`request.operation: expected one of ${OPERATIONS.join(', ')}, got ${describe(operation)}`);
  const kind = request['kind'];
  if (!isRecord(kind) || typeof kind['group'] !== 'string' || typeof kind['version'] !== 'string' || typeof kind['kind'] !== 'string') {
    return fail(`request.kind: expected {group, version, kind} strings, got ${describe(kind)}`);
  }
  for (const field of ['name', 'namespace', 'subResource'] as const) {
    const v = request[field];
    if (v !== undefined && typeof v !== 'string') return fail(`request.${field}: expected a string, got ${describe(v)}`);
  }
  const op = operation as Operation;
  if ((op === 'CREATE' || op === 'UPDATE') && !isRecord(request['object'])) return fail(`request.object: a ${op} carries the object, got ${describe(request['object'])}`);
  if (op === 'UPDATE' && !isRecord(request['oldObject'])) return fail(`request.oldObject: an UPDATE carries the old object, got ${describe(request['oldObject'])}`);
  const subResource = request['subResource'];
  return {
    ok: true,
    request: {
      uid,
      kind: { group: kind['group'], version: kind['version'], kind: kind['kind'] },
      operation: op,
      name: typeof request['name'] === 'string' ? request['name'] : '',
      namespace: typeof request['namespace'] === 'string' ? request['namespace'] : '',
      ...(typeof subResource === 'string' && subResource !== '' ? { subResource } : {}),
      ...(request['object'] !== undefined ? { object: request['object'] } : {}),
      ...(request['oldObject'] !== undefined ? { oldObject: request['oldObject'] } : {}),
      dryRun: request['dryRun'] === true,
    },
  };
}

/** A short description of a value for messages: its type, and the value when it is short. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length <= 60 ? `${typeof v} ${text}` : `a ${typeof v} of ${String(v).length} characters`;
}

export function formatGvk(k: GroupVersionKind): string {
  return `${k.group ? `${k.group}/` : ''}${k.version} ${k.kind}`;
}

/** A denial for a request this webhook should never have been sent: the configuration's rules are wrong. */
export function wrongKind(expected: GroupVersionKind, got: GroupVersionKind): Verdict {
  return {
    allowed: false,
    status: { code: 400, reason: 'BadRequest', message: `this webhook admits ${formatGvk(expected)}, not ${formatGvk(got)}: check the rules of the webhook configuration` },
  };
}

export { isRecord };
