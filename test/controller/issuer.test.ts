/** Certificates issued on the fly for `terminatingTLS.issue`: issued when first wanted, served while valid, renewed when due (the clock is injected). */
import { expect, it } from '@jest/globals';
import { createCa } from '../../certs/index.js';
import { OnTheFlyIssuer } from '../../controller/secrets/issuer.js';
import { silentLogger } from '../../telemetry/index.js';
import { eventually } from '../support/poll.js';
import { testEnv } from '../certs/support.js';

it('issues for the SNI list when first asked, serves it, and renews it once it is due', async () => {
  const env = testEnv(new Date('2026-03-01T00:00:00Z'));
  const ca = await createCa({}, env);
  if (!ca.ok) throw new Error('no CA');
  let issued = 0;
  const issuer = new OnTheFlyIssuer({ ca: ca.value, env, logger: silentLogger, onIssued: () => (issued += 1), days: 3 });
  const wanted = new Map([['api.example.com', ['api.example.com']]]);
  expect(issuer.wanted(wanted, env.now()).size).toBe(0);
  await eventually(() => issued === 1, 'the first issuance');
  const first = issuer.wanted(wanted, env.now()).get('api.example.com');
  expect(first?.values.get('tls.crt')?.kind).toBe('certificates');
  const facts = first?.values.get('tls.crt');
  expect(facts?.kind === 'certificates' ? facts.certificates[0]?.dns : []).toEqual(['api.example.com']);
  // Not due: no new issuance.
  issuer.wanted(wanted, env.now());
  await new Promise((r) => setTimeout(r, 50));
  expect(issued).toBe(1);
  // Two and a half days later (a 3-day leaf renews in its last third): still served, and renewed.
  env.setNow(new Date('2026-03-03T12:00:00Z'));
  expect(issuer.wanted(wanted, env.now()).get('api.example.com')?.version).toBe(first?.version);
  await eventually(() => issued === 2, 'the renewal');
  const renewed = issuer.wanted(wanted, env.now()).get('api.example.com');
  expect(renewed?.version).not.toBe(first?.version);
});
