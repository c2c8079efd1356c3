/**
 * The vocabulary of certs/: key types, usages, the injected environment (clock, WebCrypto, key
 * and random sources) and the result shape of every function that judges outside input.
 */
import type { webcrypto } from 'node:crypto';
import type { Diagnostic } from '../policy-compiler/index.js';

/** The key types sluice creates and reads. ECDSA P-256 is the default everywhere. */
export const KEY_TYPES = ['ecdsa-p256', 'rsa-2048', 'rsa-3072'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const DEFAULT_KEY_TYPE: KeyType = 'ecdsa-p256';

export function isKeyType(text: string): text is KeyType {
  return (KEY_TYPES as readonly string[]).includes(text);
}

/** A WebCrypto key pair with its sluice key type. Private keys are extractable (they are written out). */
export interface KeyMaterial {
  readonly type: KeyType;
  readonly privateKey: webcrypto.CryptoKey;
  readonly publicKey: webcrypto.CryptoKey;
}

/** What a leaf certificate is for: TLS server (`serverAuth`), TLS client (`clientAuth`), or both. */
export type Usage = 'server' | 'client';

/**
 * Everything certs/ takes from the world, injected: the clock (validity dates, renewal), the
 * WebCrypto implementation (signing, digests), the key source and the random source (serial
 * numbers). `defaultEnv()` wires Node's; tests pass a fixed clock, a counter and pre-made keys.
 */
export interface CertsEnv {
  readonly now: () => Date;
  readonly crypto: webcrypto.Crypto;
  readonly generateKey: (type: KeyType) => Promise<KeyMaterial>;
  readonly randomBytes: (length: number) => Uint8Array;
}

/** The answer of every function that judges outside input: a value, or the problems with it. */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function ok<T>(value: T, warnings: readonly Diagnostic[] = []): Result<T> {
  return { ok: true, value, warnings };
}

export function failed<T>(diagnostics: readonly Diagnostic[]): Result<T> {
  return { ok: false, diagnostics };
}

export const DAY_MS = 86_400_000;
