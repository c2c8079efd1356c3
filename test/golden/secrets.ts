/** The secrets of a golden case (`<case>.secrets.yaml`: `namespace/name: { key: value }`), judged at the golden clock as `serve --secrets` judges a directory. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { judgeSecret } from '../../controller/secrets/judge.js';
import type { CatalogSecret, SecretCatalog } from '../../policy-compiler/index.js';

/** The clock of every golden case: the fixture certificates are valid then, but for the expired and not-yet-valid ones. */
export const GOLDEN_NOW = new Date('2026-06-01T00:00:00Z');

export function secretsFile(dir: string, name: string): string {
  return path.join(dir, `${name}.secrets.yaml`);
}

/** The raw keys of a case's secrets (undefined: the case has none). */
export function readCaseSecrets(dir: string, name: string): Record<string, Record<string, string>> | undefined {
  const file = secretsFile(dir, name);
  return fs.existsSync(file) ? (parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, string>>) : undefined;
}

export function caseCatalog(raw: Record<string, Record<string, string>>): SecretCatalog {
  const secrets = new Map<string, CatalogSecret>();
  const broken = new Map<string, string>();
  for (const [key, values] of Object.entries(raw)) {
    const judged = judgeSecret(key, new Map(Object.entries(values).map(([k, text]) => [k, { text }])), GOLDEN_NOW);
    if (judged.ok) secrets.set(key, judged.secret);
    else broken.set(key, judged.problem);
  }
  return { secrets, broken, issuer: false, issued: new Map() };
}
