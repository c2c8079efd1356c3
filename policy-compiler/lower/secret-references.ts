/**
 * The secrets a set of policies references (`namespace/name`, each of the policy's own
 * namespace): what a secret source must read for them, and nothing else. The same names lowering
 * looks up (tls.ts `tlsSecretNames`), so a source that follows these holds every secret a compile
 * of these policies can ask for.
 */
import type { Policy } from '../model/types.js';
import { tlsSecretNames } from './tls.js';

export function secretReferences(policies: readonly Policy[]): string[] {
  const names = new Set<string>();
  for (const p of policies) {
    for (const rule of p.rules) {
      for (const port of rule.ports) if (port.tls) for (const n of tlsSecretNames(port.tls)) names.add(n);
    }
  }
  return [...names].sort();
}
