/** The real environment, wired at the edge (the CLI): Node's WebCrypto, the system clock, fresh keys. */
import { webcrypto } from 'node:crypto';
import { generateKeyMaterial } from './keys.js';
import type { CertsEnv } from './types.js';

export function defaultEnv(): CertsEnv {
  const crypto = webcrypto;
  return {
    now: () => new Date(),
    crypto,
    generateKey: (type) => generateKeyMaterial(crypto, type),
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
  };
}
