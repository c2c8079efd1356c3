/**
 * `serve --ca-dir` renews the certificates it issued on the fly (`terminatingTLS: { issue: true }`)
 * by itself: with no file changed, the periodic rescan finds a certificate due and issues a new one,
 * dated by serve's own clock (injected here); the proxy's SDS secret gets a new version and nothing
 * else changes (no Listener, Cluster or Route churn). Before it is due, nothing is re-issued.
 */
import { afterAll, beforeAll, expect, it, describe } from '@jest/globals';
import { webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saveCa } from '../../certs/index.js';
import { startServe, type ServeOptions, type Serving } from '../../controller/index.js';
import { decodeMessage, MESSAGES } from '../../envoy-api/index.js';
import { createLogger } from '../../telemetry/index.js';
import { TYPE_URL } from '../../xds-server/index.js';
import { eventually } from '../support/poll.js';
import { newCa } from '../support/tls.js';

const DAY = 24 * 3600_000;
const INVENTORY = `apiVersion: sluice.dev/v1alpha1
kind: Inventory
proxies: [ { node: node-b } ]
workloads:
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.2.0.9], proxy: { node: node-b } }
`;
const POLICY = `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: web-out, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  egress:
    - toPorts:
        - ports: [ { port: 443 } ]
          serverNames: [ api.example.com ]
          terminatingTLS: { issue: true }
          originatingTLS: { trustedCA: { system: true } }
`;

/** serve --ca-dir on an injected clock (`bed.clock`), with the issuer's options; registers its set-up and clean-up. */
function renewalBed(issue?: ServeOptions['issue']) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-renewal-'));
  const logs: string[] = [];
  let serving: Serving;

  /** The issued secret node-b is served now: its SDS version and its leaf certificate. */
  const served = (): { version: string; leaf: X509Certificate } | undefined => {
    const secrets = [...serving.cache.view('node-b').of(TYPE_URL.SDS).byName.values()];
    const secret = secrets.find((s) => s.name.startsWith('issued|'));
    if (!secret) return undefined;
    const json = decodeMessage(MESSAGES.secret, secret.body) as { tls_certificate?: { certificate_chain?: { inline_string?: string } } };
    return { version: secret.version, leaf: new X509Certificate(json.tls_certificate?.certificate_chain?.inline_string ?? '') };
  };
  const versions = (short: 'LDS' | 'CDS' | 'RDS') => serving.cache.view('node-b').version(TYPE_URL[short]);

  const bed = { clock: Date.now(), logs, served, versions };

  beforeAll(async () => {
    await saveCa(path.join(dir, 'ca'), await newCa('sluice interception CA'), webcrypto);
    fs.mkdirSync(path.join(dir, 'policies'));
    fs.writeFileSync(path.join(dir, 'policies', 'web.yaml'), POLICY);
    fs.writeFileSync(path.join(dir, 'inventory.yaml'), INVENTORY);
    serving = await startServe({
      policies: path.join(dir, 'policies'),
      inventory: path.join(dir, 'inventory.yaml'),
      caDir: path.join(dir, 'ca'),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: createLogger({ level: 'info', write: (l) => logs.push(l) }),
      now: () => bed.clock,
      ...(issue ? { issue } : {}),
      rescanMs: 100,
    });
  }, 30_000);

  afterAll(async () => {
    await serving?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return bed;
}

describe('serve --ca-dir renews what it issued, on its own clock, over SDS only', () => {
  const bed = renewalBed();

  it('issues for the SNI before the first compile (no moment where the policy is rejected for want of it), valid from serve\'s clock for 90 days', async () => {
    const first = bed.served();
    if (!first) throw new Error('no issued certificate in the first snapshot');
    expect(bed.logs.filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"'))).toEqual([]);
    expect(first.leaf.subjectAltName).toBe('DNS:api.example.com');
    const validDays = (Date.parse(first.leaf.validTo) - Date.parse(first.leaf.validFrom)) / DAY;
    expect(Math.round(validDays)).toBe(90);
    expect(Math.abs(Date.parse(first.leaf.validFrom) - bed.clock)).toBeLessThan(10 * 60_000);
  });

  it('is not re-issued while it is not due (45 days in; the renewal window is its last 30 days)', async () => {
    const before = bed.served();
    bed.clock += 45 * DAY;
    await new Promise((r) => setTimeout(r, 600)); // several rescans
    expect(bed.served()?.version).toBe(before?.version);
    expect(bed.served()?.leaf.serialNumber).toBe(before?.leaf.serialNumber);
  });

  it('once due, the rescan renews it with no file changed: a new SDS version, a new leaf dated now, and no other type changed', async () => {
    const before = bed.served();
    const other = { LDS: bed.versions('LDS'), CDS: bed.versions('CDS'), RDS: bed.versions('RDS') };
    bed.clock += 20 * DAY; // 65 days in: inside the last 30 days
    const renewed = await eventually(() => {
      const now = bed.served();
      return now && now.leaf.serialNumber !== before?.leaf.serialNumber ? now : undefined;
    }, 'the renewed certificate served', 10_000);
    expect(renewed.version).not.toBe(before?.version);
    expect(Math.abs(Date.parse(renewed.leaf.validFrom) - bed.clock)).toBeLessThan(10 * 60_000);
    expect(Date.parse(renewed.leaf.validTo)).toBeGreaterThan(Date.parse(before?.leaf.validTo ?? '0'));
    expect({ LDS: bed.versions('LDS'), CDS: bed.versions('CDS'), RDS: bed.versions('RDS') }).toEqual(other);
    expect(bed.logs.some((l) => l.includes('certificate renewed by sluice'))).toBe(true);
  });
});

describe('serve --issue-days and --renew-window: the validity and the renewal window of what it issues', () => {
  const bed = renewalBed({ days: 10, renewWindowMs: 2 * DAY });

  it('issues for 10 days; 7 days in it is not due; 8.5 days in (inside the last 2 days) the rescan renews it', async () => {
    const first = bed.served();
    if (!first) throw new Error('no issued certificate in the first snapshot');
    expect(Math.round((Date.parse(first.leaf.validTo) - Date.parse(first.leaf.validFrom)) / DAY)).toBe(10);
    bed.clock += 7 * DAY;
    await new Promise((r) => setTimeout(r, 600)); // several rescans
    expect(bed.served()?.leaf.serialNumber).toBe(first.leaf.serialNumber);
    bed.clock += 1.5 * DAY;
    const renewed = await eventually(() => {
      const now = bed.served();
      return now && now.leaf.serialNumber !== first.leaf.serialNumber ? now : undefined;
    }, 'the renewed certificate served', 10_000);
    expect(Math.round((Date.parse(renewed.leaf.validTo) - Date.parse(renewed.leaf.validFrom)) / DAY)).toBe(10);
    expect(Math.abs(Date.parse(renewed.leaf.validFrom) - bed.clock)).toBeLessThan(10 * 60_000);
  });
});
