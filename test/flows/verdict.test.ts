/**
 * Verdicts from the RBAC filters' metadata, beyond what the real-Envoy test sends: the response
 * code details as a fallback, ports no policy covers, and audit-only chains.
 */
import { describe, expect, it } from '@jest/globals';
import { decide, policyOfRule, RBAC_KEYS } from '../../flows/index.js';
import { objectKey, ruleId } from '../../policy-compiler/names.js';

describe('the verdict of a request', () => {
  it('names the policy of a rule id as the compiler built it', () => {
    expect(policyOfRule(ruleId(objectKey('shop', 'orders-api'), ['spec', 'ingress', 0, 'toPorts', 0, 'rules', 'http', 0]))).toBe('shop/orders-api');
    expect([policyOfRule(''), policyOfRule('none')]).toEqual(['', '']);
  });

  it('takes the rule from the response code details when the metadata is missing', () => {
    expect(decide({}, 'rbac_access_denied_matched_policy[shop/a#spec.ingress[0].toPorts[0].deny.http[0]]')).toEqual({ verdict: 'denied', rule: 'shop/a#spec.ingress[0].toPorts[0].deny.http[0]', policy: 'shop/a', reason: 'deny rule matched' });
    expect(decide({}, 'rbac_access_denied_matched_policy[none]')).toMatchObject({ verdict: 'denied', rule: '', defaultDeny: 'enforce' });
  });

  it('forwards what no policy covers, and names the audit rule of an audit-only chain', () => {
    expect(decide({}, 'via_upstream')).toEqual({ verdict: 'forwarded', rule: '', policy: '', reason: 'no policy covers this port' });
    expect(decide({ [RBAC_KEYS.auditAllowResult]: 'allowed', [RBAC_KEYS.auditAllowRule]: 'shop/trial#spec.ingress[0].toPorts[0]' }, 'via_upstream')).toMatchObject({ verdict: 'forwarded', policy: 'shop/trial' });
    expect(decide({ [RBAC_KEYS.allowResult]: 'allowed', [RBAC_KEYS.allowRule]: 'shop/a#r', [RBAC_KEYS.auditAllowResult]: 'denied' }, 'via_upstream')).toMatchObject({ verdict: 'audit-denied', rule: '', defaultDeny: 'audit' });
  });

  it('lets an enforced deny win over everything the audit rules say', () => {
    expect(decide({ [RBAC_KEYS.denyResult]: 'denied', [RBAC_KEYS.denyRule]: 'shop/a#d', [RBAC_KEYS.auditDenyResult]: 'denied', [RBAC_KEYS.auditDenyRule]: 'shop/t#d' }, 'rbac_access_denied_matched_policy[shop/a#d]')).toMatchObject({ verdict: 'denied', rule: 'shop/a#d' });
  });
});
