import { describe, it, expect } from '@jest/globals';
import { createSnapshot, PUSH_ORDER, RESOURCE_TYPES, TYPE_URL, typeInfo } from './index.js';
import { formatDiagnostic } from '../problems/index.js';
import { apiListener, cluster, endpoints, routeConfig, snap } from '../test/xds-server/harness.js';

describe('type table', () => {
  it('derives type URLs, full-state flags and the push order CDS → EDS → LDS → RDS → SDS → Kafka → node redirects', () => {
    expect(PUSH_ORDER.map((t) => t.short)).toEqual(['CDS', 'EDS', 'LDS', 'RDS', 'SDS', 'KAFKA', 'REDIRECTS']);
    expect(PUSH_ORDER.filter((t) => t.fullState).map((t) => t.short)).toEqual(['CDS', 'LDS', 'KAFKA', 'REDIRECTS']);
    expect(TYPE_URL.LDS).toBe('type.googleapis.com/envoy.config.listener.v3.Listener');
    expect(TYPE_URL.KAFKA).toBe('type.googleapis.com/sluice.kafka.v1alpha1.KafkaPolicy');
    expect(typeInfo('type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment')?.short).toBe('EDS');
    expect(typeInfo('type.googleapis.com/envoy.service.runtime.v3.Runtime')).toBeUndefined();
    expect(Object.keys(RESOURCE_TYPES)).toHaveLength(7);
  });
});

describe('createSnapshot', () => {
  it('versions resources by content: equal bytes give equal versions, any change a new one', () => {
    const a = snap([cluster('c1'), endpoints('c1', [80])]);
    const b = snap([endpoints('c1', [80]), cluster('c1')]);
    const c = snap([cluster('c1'), endpoints('c1', [81])]);
    expect(a.version(TYPE_URL.CDS)).toBe(b.version(TYPE_URL.CDS));
    expect(a.version(TYPE_URL.EDS)).toBe(b.version(TYPE_URL.EDS));
    expect(a.get(TYPE_URL.EDS, 'c1')?.version).toBe(b.get(TYPE_URL.EDS, 'c1')?.version);
    expect(c.version(TYPE_URL.EDS)).not.toBe(a.version(TYPE_URL.EDS));
    expect(c.version(TYPE_URL.CDS)).toBe(a.version(TYPE_URL.CDS));
    expect(a.get(TYPE_URL.EDS, 'c1')?.version).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('names every unresolved reference and every duplicate, and publishes nothing', () => {
    const r = createSnapshot([
      apiListener('l1', 'rc-missing'),
      cluster('c1', 'eds-missing'),
      routeConfig('rc', 'c1'),
      routeConfig('rc', 'c2'),
      endpoints('e', [1]),
      endpoints('e', [1]),
      endpoints('e', [2]),
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.message).sort()).toEqual([
      'CDS "c1" references EDS "eds-missing", which the snapshot does not hold',
      'LDS "l1" references RDS "rc-missing", which the snapshot does not hold',
      'duplicate resource EDS "e" (3 times)',
      'duplicate resource RDS "rc" (2 times)',
    ]);
  });

  it('rejects malformed inputs with a field path', () => {
    const r = createSnapshot([
      { typeUrl: 'type.googleapis.com/nope.Thing' as never, name: 'x', body: new Uint8Array() },
      { typeUrl: TYPE_URL.CDS, name: '', body: new Uint8Array() },
      { typeUrl: TYPE_URL.CDS, name: 'c', body: 'bytes' as never },
      { typeUrl: TYPE_URL.CDS, name: 'a:AAAAAAAAAAAAAAAA\nb', body: new Uint8Array() },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => (p.code === 'snapshot.invalid' ? p.path : p.code))).toEqual(['resources[0].typeUrl', 'resources[1].name', 'resources[2].body', 'resources[3].name']);
    // The path is written once: in the field, not again in the message.
    expect(r.problems.map((p) => formatDiagnostic(p))).toEqual([
      '<input>: error: resources[0].typeUrl: type.googleapis.com/nope.Thing is not a served type [snapshot.invalid]',
      '<input>: error: resources[1].name: must be a non-empty name other than "*" [snapshot.invalid]',
      '<input>: error: resources[2].body: must be the encoded message bytes [snapshot.invalid]',
      '<input>: error: resources[3].name: must not contain a line break [snapshot.invalid]',
    ]);
  });

  it('names a bad reference by its index, once', () => {
    const r = createSnapshot([{ typeUrl: TYPE_URL.CDS, name: 'c', body: new Uint8Array(), references: [{ typeUrl: TYPE_URL.EDS, name: 'e' }, { typeUrl: TYPE_URL.EDS, name: '' }] }]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.path, formatDiagnostic(p, 'brief')])).toEqual([['resources[0].references[1]', 'resources[0].references[1]: not a {typeUrl, name} of a served type']]);
  });
});
