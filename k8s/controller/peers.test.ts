import { describe, expect, it } from '@jest/globals';
import { peerAddresses } from './peers.js';

const slice = (endpoints: unknown[], service = 'sluice-controller', namespace = 'sluice-system') => ({
  metadata: { name: `${service}-abc`, namespace, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ name: 'xds', port: 18000, protocol: 'TCP' }, { name: 'admin', port: 9901, protocol: 'TCP' }],
  endpoints,
});
const self = { host: '10.0.0.1', port: 9901 };

describe('peerAddresses', () => {
  it('asks every replica that serves: ready ones, and one terminating while it still serves; not itself, not one that does not serve', () => {
    const slices = [
      slice([
        { addresses: ['10.0.0.1'], conditions: { ready: true } },
        { addresses: ['10.0.0.2'], conditions: { ready: true, serving: true } },
        { addresses: ['10.0.0.3'], conditions: { ready: false, serving: true, terminating: true } },
        { addresses: ['10.0.0.4'], conditions: { ready: false, serving: false, terminating: true } },
        { addresses: ['10.0.0.5'], conditions: { ready: false } },
        { addresses: ['10.0.0.6'] },
      ]),
      slice([{ addresses: ['10.9.9.9'] }], 'other'),
    ];
    expect(peerAddresses(slices, 'sluice-system', 'sluice-controller', self).map((p) => p.host)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.6']);
  });

  it('finds no peer in a slice without an admin port', () => {
    const s = { ...slice([{ addresses: ['10.0.0.2'] }]), ports: [{ name: 'xds', port: 18000 }] };
    expect(peerAddresses([s], 'sluice-system', 'sluice-controller', self)).toEqual([]);
  });
});
