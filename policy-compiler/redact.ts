/**
 * What of a secret may be shown: certificates and CA bundles are public; private keys and
 * credentials are not. Every view that prints resources or the IR (`/config_dump`, `sluice
 * compile`, golden files) passes its plain JSON through `redactSecrets`, as Envoy's own config
 * dump redacts: a Secret's `private_key` and `generic_secret`, an IR secret's `privateKey` (a
 * certificate) and `value` (a credential), wherever they are in the tree.
 */
export const REDACTED = '[redacted]';

/** A fresh object each time (printed views must not share one). */
const redactedSource = () => ({ inline_string: REDACTED });

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'private_key' || k === 'privateKey') out[k] = typeof v === 'string' ? REDACTED : redactedSource();
    else if (k === 'generic_secret') out[k] = { secret: redactedSource() };
    else if (k === 'value' && o['kind'] === 'credential') out[k] = REDACTED;
    else out[k] = redactSecrets(v);
  }
  return out;
}
