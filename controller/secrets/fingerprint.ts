/** What of a secret catalog a compile reads, as one string (versions, validity, staleness; never a value): equal strings, equal compiles. */
import type { SecretCatalog } from '../../policy-compiler/index.js';

export function catalogFingerprint(catalog: SecretCatalog): string {
  const parts: string[] = [];
  for (const [key, s] of [...catalog.secrets, ...[...catalog.issued].map(([k, v]) => [`issued|${k}`, v] as const)]) {
    parts.push(`${key}=${s.version}/${s.stale ?? ''}/${[...(s.invalidNow ?? new Map<string, string>())].join(',')}`);
  }
  for (const [key, why] of catalog.broken) parts.push(`${key}!${why}`);
  return `\0secrets\0${catalog.issuer}\0${parts.join('\0')}`;
}
