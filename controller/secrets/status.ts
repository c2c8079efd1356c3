/** The secrets in force as `/status` shows them: names, versions, why one is stale or broken, and what sluice's CA issued. Never a value. */
import type { SecretCatalog } from '../../policy-compiler/index.js';

export interface SecretsStatus {
  readonly inForce: readonly { readonly secret: string; readonly version: string; readonly keys: readonly string[]; readonly stale?: string; readonly invalid?: Readonly<Record<string, string>> }[];
  readonly broken: readonly { readonly secret: string; readonly problem: string }[];
  readonly issued: readonly { readonly serverNames: string; readonly version: string }[];
}

export function secretsStatus(catalog: SecretCatalog): SecretsStatus {
  return {
    inForce: [...catalog.secrets.values()].sort((a, b) => a.key.localeCompare(b.key)).map((s) => ({
      secret: s.key,
      version: s.version,
      keys: [...s.values.keys()].sort(),
      ...(s.stale !== undefined ? { stale: s.stale } : {}),
      ...(s.invalidNow && s.invalidNow.size > 0 ? { invalid: Object.fromEntries(s.invalidNow) } : {}),
    })),
    broken: [...catalog.broken].sort(([a], [b]) => a.localeCompare(b)).map(([secret, problem]) => ({ secret, problem })),
    issued: [...catalog.issued].sort(([a], [b]) => a.localeCompare(b)).map(([serverNames, s]) => ({ serverNames, version: s.version })),
  };
}
