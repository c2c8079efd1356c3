/** The policy runtime's promises: last good versions, rejected newcomers, nothing lost on bad input. */
import { describe, it, expect } from '@jest/globals';
import { harness, INVENTORY, policy } from './fixtures.js';

const setup = () => harness();

describe('policy runtime', () => {
  it('publishes a snapshot per node and the policies in force', () => {
    const { apply, inbound, entry } = setup();
    expect(apply(INVENTORY, policy('readers', '{ http: [ { method: GET } ] }')).published).toBe(true);
    expect(inbound()).toContain('shop/readers#spec.ingress[0].toPorts[0].rules.http[0]');
    expect(entry('shop/readers')?.source).toBe('current');
  });

  it('keeps the last good version of a policy whose new version is invalid', () => {
    const { apply, inbound, entry } = setup();
    apply(INVENTORY, policy('readers', '{ http: [ { method: GET } ] }'));
    const good = inbound();
    const r = apply(INVENTORY, policy('readers', '{ http: [ { method: get } ] }'));
    expect(r.diagnostics.some((d) => d.code === 'schema.pattern')).toBe(true);
    expect(entry('shop/readers')?.source).toBe('stale');
    expect(inbound()).toBe(good);
  });

  it('rejects a new policy that was never valid, without touching the others', () => {
    const { apply, inbound, entry } = setup();
    apply(INVENTORY, policy('readers', '{ http: [ { method: GET } ] }'));
    const good = inbound();
    apply(INVENTORY, policy('readers', '{ http: [ { method: GET } ] }'), policy('broken', '{ http: [ { path: { regex: "(" } } ] }'));
    expect(entry('shop/broken')?.source).toBe('rejected');
    expect(inbound()).toBe(good);
  });

  it('drops a policy whose file is gone', () => {
    const { apply, inbound, entry } = setup();
    apply(INVENTORY, policy('readers', '{ http: [ { method: GET } ] }'));
    apply(INVENTORY);
    expect(entry('shop/readers')).toBeUndefined();
    expect(inbound()).not.toContain('shop/readers');
  });

  it('keeps the last good inventory when the inventory turns invalid, and publishes nothing without any', () => {
    const { apply, inbound, runtime } = setup();
    expect(apply(policy('readers', '{ http: [ { method: GET } ] }')).published).toBe(false);
    expect(runtime.state().inventory.source).toBe('missing');
    apply(INVENTORY, policy('readers', '{ http: [ { method: GET } ] }'));
    const good = inbound();
    apply({ name: 'inventory.yaml', text: INVENTORY.text.replace('10.1.0.7', '10.1.0.700') }, policy('readers', '{ http: [ { method: GET } ] }'));
    expect(runtime.state().inventory.source).toBe('stale');
    expect(inbound()).toBe(good);
  });

  it('sends a changed policy that conflicts with an unchanged one back to its last good version', () => {
    const { apply, inbound, entry } = setup();
    apply(INVENTORY, policy('web', '{ http: [ { method: GET } ] }'), policy('stream', '{ http: [ { method: POST } ] }'));
    const good = inbound();
    // `stream` now claims the port for Kafka, which `web` (unchanged) uses for HTTP.
    apply(INVENTORY, policy('web', '{ http: [ { method: GET } ] }'), policy('stream', '{ kafka: [ { role: produce } ] }'));
    expect(entry('shop/stream')?.source).toBe('stale');
    expect(entry('shop/stream')?.diagnostics.map((d) => d.code)).toContain('port.protocol-conflict');
    expect(entry('shop/web')?.source).toBe('current');
    expect(inbound()).toBe(good);
  });

  it('counts generations and never republishes on unreadable sources alone', () => {
    const { runtime, apply } = setup();
    apply(INVENTORY);
    const r = runtime.apply({ files: [INVENTORY], readDiagnostics: [{ severity: 'error', code: 'source.unreadable', file: 'x.yaml', path: '', message: 'permission denied' }] });
    expect(r.generation).toBe(2);
    expect(runtime.state().sourceDiagnostics.map((d) => d.code)).toEqual(['source.unreadable']);
  });
});
