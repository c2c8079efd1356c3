/** The certificates policies ask sluice's CA to issue (`terminatingTLS.issue`): one per SNI allow list, by `issuedKey`. */
import type { Policy } from '../model/types.js';
import { issuedKey } from '../names.js';

export function issueRequests(policies: readonly Policy[]): Map<string, readonly string[]> {
  const wanted = new Map<string, readonly string[]>();
  for (const p of policies) {
    for (const rule of p.rules) {
      for (const port of rule.ports) {
        const tls = port.tls;
        if (tls?.terminate?.certificate.kind === 'issued' && tls.serverNames.length > 0) wanted.set(issuedKey(tls.serverNames), tls.serverNames);
      }
    }
  }
  return wanted;
}
