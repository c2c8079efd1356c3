/**
 * The pure core of the webhooks: a path and a decoded body in, an HTTP status and a body out.
 * A well-formed AdmissionReview v1 always gets 200 with a response for its uid (a denial is an
 * answer, not an error); what is not one gets 400 with a Status naming the first wrong field, so
 * the API server (and whoever else calls) reads a precise reason. No I/O here except through the
 * injected view and flows store; the HTTPS server is server.ts.
 */
import { PATHS, type ProxyMode } from './names.js';
import { mutatePod } from './pod-mutation.js';
import { parseReview, respond, type AdmissionRequest, type AdmissionReviewResponse, type Verdict } from './review.js';
import { rolloutGuard, type RolloutGuardOptions } from './rollout-guard.js';
import type { SidecarOptions } from './sidecar.js';
import { validatePolicyRequest, type PolicyValidationOptions } from './validate-policy.js';

export interface WebhookDeps {
  readonly policies: PolicyValidationOptions;
  readonly rollout: RolloutGuardOptions;
  readonly sidecar?: SidecarOptions;
}

/** metav1.Status, the body of every answer that is not an AdmissionReview. */
export interface ErrorStatus {
  readonly apiVersion: 'v1';
  readonly kind: 'Status';
  readonly status: 'Failure';
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

export type HandlerResult = { readonly status: 200; readonly body: AdmissionReviewResponse } | { readonly status: number; readonly body: ErrorStatus };

export function errorStatus(code: number, reason: string, message: string): { status: number; body: ErrorStatus } {
  return { status: code, body: { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message } };
}

type Route = (request: AdmissionRequest, deps: WebhookDeps) => Promise<Verdict> | Verdict;

const pods = (mode: ProxyMode): Route => (request, deps) => mutatePod(request, { kind: 'namespace', mode }, deps.sidecar);

export const ROUTES: Readonly<Record<string, Route>> = {
  [PATHS.validatePolicy]: (request, deps) => validatePolicyRequest(request, deps.policies),
  [PATHS.rolloutGuard]: (request, deps) => rolloutGuard(request, deps.rollout),
  [PATHS.podsSidecar]: pods('sidecar'),
  [PATHS.podsNode]: pods('node'),
  [PATHS.podsLabelled]: (request, deps) => mutatePod(request, { kind: 'pod-label' }, deps.sidecar),
};

export function isAdmissionPath(path: string): boolean {
  return Object.hasOwn(ROUTES, path);
}

/** Answers one decoded AdmissionReview sent to `path`. */
export async function admit(path: string, body: unknown, deps: WebhookDeps): Promise<HandlerResult> {
  const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (!route) return errorStatus(404, 'NotFound', `no webhook at ${path}: the paths are ${Object.keys(ROUTES).join(', ')}`);
  const parsed = parseReview(body);
  if (!parsed.ok) return errorStatus(400, 'BadRequest', `not an AdmissionReview v1 request: ${parsed.message}`);
  const verdict = await route(parsed.request, deps);
  return { status: 200, body: respond(parsed.request.uid, verdict) };
}
