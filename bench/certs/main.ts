/**
 * `npm run bench:certs`: leaf certificates issued per second (a fresh key, the extensions, the
 * CA's signature) for ECDSA P-256 and RSA-2048, and the same with the key made beforehand (the
 * signing path alone). The peer measured in the same run is the floor every issuer pays: making
 * the key pair alone with the same WebCrypto.
 */
import { createCa, defaultEnv, generateKeyMaterial, issueLeaf, type Ca, type CertsEnv, type KeyMaterial, type KeyType } from '../../certs/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

/** Runs `op` for SECONDS after one warm-up call; returns operations per second. */
async function rate(op: (i: number) => Promise<unknown>): Promise<number> {
  await op(-1);
  const until = performance.now() + SECONDS * 1000;
  const start = performance.now();
  let n = 0;
  while (performance.now() < until) await op(n++);
  return n / ((performance.now() - start) / 1000);
}

async function issueOrThrow(ca: Ca, env: CertsEnv, keyType: KeyType, i: number): Promise<void> {
  const r = await issueLeaf(ca, { dns: [`w${i}.shop.svc.cluster.local`, '*.shop.svc.cluster.local'], ips: ['10.1.0.7'], keyType }, env);
  if (!r.ok) throw new Error(`issuance failed: ${r.diagnostics[0]?.message ?? ''}`);
}

async function measure(keyType: KeyType): Promise<string> {
  const env = defaultEnv();
  const ca = await createCa({ keyType, intermediate: true }, env);
  if (!ca.ok) throw new Error('the CA could not be made');
  const keygen = await rate(() => generateKeyMaterial(env.crypto, keyType));
  const issue = await rate((i) => issueOrThrow(ca.value, env, keyType, i));
  // The signing path alone: one key made before the clock starts, certified again and again.
  const key: KeyMaterial = await generateKeyMaterial(env.crypto, keyType);
  const premade: CertsEnv = { ...env, generateKey: async () => key };
  const sign = await rate((i) => issueOrThrow(ca.value, premade, keyType, i));
  const f = (x: number) => x.toFixed(0).padStart(7);
  return [
    `  ${keyType}`,
    `    peer: key pair alone (WebCrypto generateKey)   ${f(keygen)} /s   1.00x`,
    `    issue a leaf (new key + extensions + signature) ${f(issue)} /s   ${(issue / keygen).toFixed(2)}x the peer`,
    `    sign only (key made beforehand)                ${f(sign)} /s   ${(sign / keygen).toFixed(2)}x the peer`,
  ].join('\n');
}

async function main(): Promise<void> {
  console.log(`sluice certs benchmark: leaf certificates from an intermediate CA, ${SECONDS} s per figure, one thread`);
  for (const keyType of ['ecdsa-p256', 'rsa-2048'] as const) console.log(await measure(keyType));
}

await main();
