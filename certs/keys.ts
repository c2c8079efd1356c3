/**
 * Keys: generation on WebCrypto, PKCS#8 PEM out, and PEM in (PKCS#8, and the traditional SEC1
 * `EC PRIVATE KEY` and PKCS#1 `RSA PRIVATE KEY` forms openssl writes), with the key type checked.
 * Node's KeyObject does the format conversions and the key/certificate comparison.
 */
import { KeyObject, createPrivateKey, createPublicKey, type webcrypto } from 'node:crypto';
import { encodePem, parsePem, type PemBlock } from './pem.js';
import { problem } from './problems.js';
import { failed, ok, type KeyMaterial, type KeyType, type Result } from './types.js';

type Algorithm = webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;

/** The WebCrypto algorithm of a key type: ECDSA on P-256, or RSASSA-PKCS1-v1_5 with SHA-256. */
export function keyAlgorithm(type: KeyType): Algorithm {
  switch (type) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'rsa-2048':
    case 'rsa-3072':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

/** A fresh extractable key pair (the default key source of `defaultEnv`). */
export async function generateKeyMaterial(crypto: webcrypto.Crypto, type: KeyType): Promise<KeyMaterial> {
  const params: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams =
    type === 'ecdsa-p256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: type === 'rsa-2048' ? 2048 : 3072, publicExponent: new Uint8Array([1, 0, 1]) };
  const pair = await crypto.subtle.generateKey(params, true, ['sign', 'verify']);
  return { type, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/** The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export async function privateKeyPem(crypto: webcrypto.Crypto, key: KeyMaterial): Promise<string> {
  return encodePem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', key.privateKey));
}

/** What a public key is: one of sluice's key types, or a description of a foreign one. */
export type KeyDescription = { readonly keyType: KeyType; readonly description: KeyType } | { readonly keyType?: undefined; readonly description: string };

function describeKeyObject(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    return details.namedCurve === 'prime256v1' ? { keyType: 'ecdsa-p256', description: 'ecdsa-p256' } : { description: `ecdsa ${details.namedCurve ?? 'unknown curve'}` };
  }
  if (key.asymmetricKeyType === 'rsa') {
    if (details.modulusLength === 2048) return { keyType: 'rsa-2048', description: 'rsa-2048' };
    if (details.modulusLength === 3072) return { keyType: 'rsa-3072', description: 'rsa-3072' };
    return { description: `rsa-${details.modulusLength ?? '?'}` };
  }
  return { description: key.asymmetricKeyType ?? 'unknown' };
}

/** The key type of a DER SubjectPublicKeyInfo, or why it cannot be read. */
export function describeSpki(spki: ArrayBuffer | Uint8Array): KeyDescription {
  try {
    return describeKeyObject(createPublicKey({ key: Buffer.from(spki instanceof Uint8Array ? spki : new Uint8Array(spki)), format: 'der', type: 'spki' }));
  } catch {
    return { description: 'unreadable public key' };
  }
}

/** True when the key pair's public half is the certificate's public key. */
export function keyMatchesSpki(key: KeyMaterial, spki: ArrayBuffer | Uint8Array): boolean {
  try {
    const certKey = createPublicKey({ key: Buffer.from(spki instanceof Uint8Array ? spki : new Uint8Array(spki)), format: 'der', type: 'spki' });
    return KeyObject.from(key.publicKey).equals(certKey);
  } catch {
    return false;
  }
}

const KEY_LABELS: Readonly<Record<string, 'pkcs8' | 'sec1' | 'pkcs1'>> = { 'PRIVATE KEY': 'pkcs8', 'EC PRIVATE KEY': 'sec1', 'RSA PRIVATE KEY': 'pkcs1' };

/** Reads one private key from PEM text: PKCS#8, SEC1 or PKCS#1, unencrypted, of a sluice key type. */
export async function parsePrivateKeyPem(crypto: webcrypto.Crypto, text: string): Promise<Result<KeyMaterial>> {
  const pem = parsePem(text);
  if (!pem.ok) return pem;
  // openssl ecparam -genkey writes an EC PARAMETERS block before the key: it says nothing the key does not.
  const blocks = pem.value.filter((b) => b.label !== 'EC PARAMETERS');
  const keys: PemBlock[] = [];
  for (const block of blocks) {
    if (block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(block.headers.get('Proc-Type') ?? '')) {
      return failed([problem('key.encrypted', 'privateKey', 'the key is encrypted with a passphrase; sluice reads unencrypted keys (decrypt it with `openssl pkey -in KEY -out KEY.plain`)', { line: block.line })]);
    }
    if (!(block.label in KEY_LABELS)) {
      return failed([problem('pem.unexpected-label', 'privateKey', `expected a private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY), found ${block.label}`, { line: block.line })]);
    }
    keys.push(block);
  }
  const [block, second] = keys;
  if (!block) return failed([problem('pem.none', 'privateKey', 'no private key in the file')]);
  if (second) return failed([problem('key.multiple', 'privateKey', `more than one private key (lines ${block.line} and ${second.line})`, { line: second.line })]);
  return importPrivateKey(crypto, block);
}

async function importPrivateKey(crypto: webcrypto.Crypto, block: PemBlock): Promise<Result<KeyMaterial>> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type: KEY_LABELS[block.label] ?? 'pkcs8' });
  } catch (error) {
    return failed([problem('key.unparsable', 'privateKey', `not a ${block.label}: ${reason(error)}`, { line: block.line })]);
  }
  const described = describeKeyObject(keyObject);
  if (!described.keyType) {
    return failed([problem('key.unsupported', 'privateKey', `${described.description} keys are not supported (use ecdsa-p256, rsa-2048 or rsa-3072)`, { line: block.line })]);
  }
  const algorithm = keyAlgorithm(described.keyType);
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const publicKey = await crypto.subtle.importKey('spki', spki, algorithm, true, ['verify']);
  return ok({ type: described.keyType, privateKey, publicKey });
}

export function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^error:[0-9A-F]+:/, '').trim();
}
