/**
 * The verdict of one request, from the dynamic metadata Envoy's RBAC filters write (namespace
 * `envoy.filters.http.rbac`, one key per filter prefix; see policy-compiler/translate/features/access-log.ts) and, as a fallback,
 * the response code details (`rbac_access_denied_matched_policy[ID]`). sluice's listeners run a
 * DENY filter (`sluice_deny_`, shadow `sluice_audit_deny_`) before an ALLOW filter
 * (`sluice_allow_`, shadow `sluice_audit_allow_`); the shadow rule sets are enforce ∪ audit.
 */
import { parseRuleId, RBAC_METADATA_KEYS, RBAC_METADATA_NAMESPACE } from '../policy-compiler/index.js';
import type { Verdict } from './record.js';

export { RBAC_METADATA_NAMESPACE };

/** The metadata keys the compiler's RBAC filters write (policy-compiler/names.ts: their stat prefixes and the keys under them). */
export const RBAC_KEYS = RBAC_METADATA_KEYS;

export type RbacFields = Readonly<Partial<Record<(typeof RBAC_KEYS)[keyof typeof RBAC_KEYS], string>>>;

export interface Decision {
  readonly verdict: Verdict;
  readonly rule: string;
  /** The policy of the rule; '' for a default deny (the caller may know the chain's policy). */
  readonly policy: string;
  readonly reason: string;
  /** A default deny: nothing allowed it, so no rule id names the policy; `enforce` or `audit` side. */
  readonly defaultDeny?: 'enforce' | 'audit';
}

/** `shop/orders-api#spec.ingress[0]...` → `shop/orders-api`. */
export function policyOfRule(rule: string): string {
  return parseRuleId(rule)?.policy ?? '';
}

const DETAILS = /^rbac_access_denied_matched_policy\[(.*)\]$/;

export function decide(rbac: RbacFields, responseCodeDetails: string): Decision {
  const get = (k: keyof typeof RBAC_KEYS): string => rbac[RBAC_KEYS[k]] ?? '';
  const rule = (id: string, verdict: Verdict, reason: string): Decision => ({ verdict, rule: id, policy: policyOfRule(id), reason });
  if (get('denyResult') === 'denied') return rule(get('denyRule'), 'denied', 'deny rule matched');
  if (get('allowResult') === 'denied') return { verdict: 'denied', rule: '', policy: '', reason: 'no allow rule matched', defaultDeny: 'enforce' };
  const details = DETAILS.exec(responseCodeDetails);
  if (details) {
    // Metadata missing but Envoy says RBAC refused it (another filter order, an older config).
    const id = details[1] === 'none' ? '' : (details[1] ?? '');
    return id ? rule(id, 'denied', 'deny rule matched') : { verdict: 'denied', rule: '', policy: '', reason: 'no allow rule matched', defaultDeny: 'enforce' };
  }
  if (get('auditDenyResult') === 'denied') return rule(get('auditDenyRule'), 'audit-denied', 'audit deny rule matched');
  if (get('auditAllowResult') === 'denied') return { verdict: 'audit-denied', rule: '', policy: '', reason: 'no audit allow rule matched', defaultDeny: 'audit' };
  const allowed = get('allowRule');
  if (allowed) return rule(allowed, 'forwarded', 'allow rule matched');
  const shadowAllowed = get('auditAllowRule');
  if (shadowAllowed) return rule(shadowAllowed, 'forwarded', 'audit allow rule matched (no enforcing policy)');
  return { verdict: 'forwarded', rule: '', policy: '', reason: get('allowResult') === 'allowed' || get('denyResult') === 'allowed' ? 'no rule decided' : 'no policy covers this port' };
}
