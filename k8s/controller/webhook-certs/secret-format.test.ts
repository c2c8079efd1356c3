import { describe, expect, it } from '@jest/globals';
import { createCa, defaultEnv, privateKeyPem, generateKeyMaterial, type Ca } from '../../../certs/index.js';
import { serviceNames, ServingCertificates } from '../../admission/index.js';
import { caIdentity, caSecretBody, PREVIOUS_UNTIL_ANNOTATION, readCaSecret, readServingSecret, servingSecretBody } from './secret-format.js';

const env = defaultEnv();
const REF = { namespace: 'sluice-system', name: 'sluice-webhook-ca' };
const TLS = { namespace: 'sluice-system', name: 'sluice-webhook-tls' };
const NAMES = serviceNames('sluice-webhook', 'sluice-system');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ca = async (commonName: string, lifetimeMs?: number): Promise<Ca> => {
  const made = await createCa({ commonName, ...(lifetimeMs ? { lifetimeMs } : {}) }, env);
  if (!made.ok) throw new Error(JSON.stringify(made.diagnostics));
  return made.value;
};
const withData = (body: Record<string, unknown>, change: (d: Record<string, string>) => Record<string, string | undefined>) => {
  const data = change(body['data'] as Record<string, string>);
  return { ...body, data: Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) };
};

describe('the CA Secret', () => {
  it('holds a rotation and gives it back: the CA in use, the next one, the previous root and when it leaves', async () => {
    const state = { ca: await ca('current'), pending: await ca('next'), previous: { root: (await ca('previous')).root, until: Date.parse('2027-01-01T00:00:00.123Z') } };
    const body = await caSecretBody(REF, state, env.crypto, '42');
    expect(Object.keys(body['data'] as object).sort()).toEqual(['ca.crt', 'ca.key', 'next.crt', 'next.key', 'previous.crt']);
    expect((body['metadata'] as { annotations: Record<string, string>; resourceVersion: string })).toMatchObject({ annotations: { [PREVIOUS_UNTIL_ANNOTATION]: '2027-01-01T00:00:00.123Z' }, resourceVersion: '42' });
    const read = await readCaSecret(REF, body, env);
    expect(read.problems).toEqual([]);
    expect(read.dropped).toEqual([]);
    expect(read.state && caIdentity(read.state)).toBe(caIdentity(state));
  });

  it('is not usable, and says why with the Secret and the key, when the CA in use is missing, broken, expired or not its key\'s', async () => {
    const body = await caSecretBody(REF, { ca: await ca('current') }, env.crypto);
    const otherKey = await privateKeyPem(env.crypto, await generateKeyMaterial(env.crypto, 'ecdsa-p256'));
    const expired = await caSecretBody(REF, { ca: await ca('short', 1000) }, env.crypto);
    await new Promise((r) => setTimeout(r, 1100));
    const cases: [unknown, RegExp][] = [
      [withData(body, (d) => ({ ...d, 'ca.key': undefined })), /^Secret sluice-system\/sluice-webhook-ca ca\.key: missing$/],
      [withData(body, (d) => ({ ...d, 'ca.crt': b64('junk') })), /^Secret sluice-system\/sluice-webhook-ca ca\.crt: error: .*\[pem\.none\]$/],
      [withData(body, (d) => ({ ...d, 'ca.crt': '*not base64*' })), /^Secret sluice-system\/sluice-webhook-ca ca\.crt: not valid base64$/],
      [withData(body, (d) => ({ ...d, 'ca.key': b64(otherKey) })), /^Secret sluice-system\/sluice-webhook-ca ca\.key: error: privateKey: this key does not belong to .*\[key\.mismatch\]$/],
      [expired, /^Secret sluice-system\/sluice-webhook-ca ca\.crt: error: root\.validity\.notAfter: CN=short expired at .*\[cert\.expired\]$/],
      [{ metadata: {} }, /^Secret sluice-system\/sluice-webhook-ca ca\.crt: missing\nSecret sluice-system\/sluice-webhook-ca ca\.key: missing$/],
    ];
    for (const [object, problem] of cases) {
      const read = await readCaSecret(REF, object, env);
      expect(read.state).toBeUndefined();
      expect(read.problems.join('\n')).toMatch(problem);
    }
  });

  it('keeps the CA in use when only the rotation\'s other parts are broken, and says what it drops', async () => {
    const body = await caSecretBody(REF, { ca: await ca('current'), pending: await ca('next'), previous: { root: (await ca('previous')).root, until: Date.now() } }, env.crypto);
    const broken = { ...withData(body, (d) => ({ ...d, 'next.key': undefined })), metadata: { annotations: { [PREVIOUS_UNTIL_ANNOTATION]: 'soon' } } };
    const read = await readCaSecret(REF, broken, env);
    expect(read.state?.ca.root.subject).toBe('CN=current');
    expect(read.state?.pending).toBeUndefined();
    expect(read.state?.previous).toBeUndefined();
    expect(read.dropped).toEqual(['Secret sluice-system/sluice-webhook-ca: next.key missing beside next.crt', `Secret sluice-system/sluice-webhook-ca: annotation ${PREVIOUS_UNTIL_ANNOTATION} "soon" is not a time`]);
  });
});

describe('the serving Secret, as the leader judges it', () => {
  it('is taken when it names the Service and a CA of the rotation issued it; refused, naming the key, when another CA did', async () => {
    const current = await ca('current');
    const certs = await ServingCertificates.create(current, NAMES, env);
    const body = servingSecretBody(TLS, certs.certificate, certs.bundlePem, '7');
    const read = await readServingSecret(TLS, body, NAMES, [current.root], env);
    expect(read.problems).toEqual([]);
    expect(read.leaf?.served.certificate.serialNumber).toBe(certs.leafCertificate.serialNumber);
    const stranger = await readServingSecret(TLS, body, NAMES, [(await ca('other')).root], env);
    expect(stranger.problems).toEqual(['Secret sluice-system/sluice-webhook-tls tls.crt: the leaf (issuer CN=current) is not issued by the webhooks\' CA']);
    const more = await readServingSecret(TLS, body, { dns: NAMES.dns, ips: ['10.0.0.1'] }, [current.root], env);
    expect(more.problems).toEqual([expect.stringMatching(/tls\.crt: the leaf does not name 10\.0\.0\.1 \(it names sluice-webhook, /)]);
  });
});
