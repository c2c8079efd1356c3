import { describe, expect, it } from '@jest/globals';
import type { Inventory } from '../policy-compiler/index.js';
import { WorkloadIndex } from './workloads.js';

describe('address → workload', () => {
  it('finds a workload by any spelling of its address (IPv4-mapped, bracketed, uncompressed)', () => {
    const orders = { name: 'orders', namespace: 'shop', labels: { app: 'orders' }, addresses: ['10.1.0.7', 'FD00:0::7'] };
    const index = new WorkloadIndex({ workloads: [orders], proxies: new Map() } as unknown as Inventory);
    for (const spelling of ['10.1.0.7', '::ffff:10.1.0.7', '[::ffff:10.1.0.7]', 'fd00::7', '[fd00:0:0:0:0:0:0:7]']) expect(index.workloadAt(spelling)?.name).toBe('orders');
    expect(index.endpoint('::ffff:10.1.0.7', 8080)).toEqual({ address: '10.1.0.7', port: 8080, workload: 'orders', namespace: 'shop', labels: { app: 'orders' } });
    expect(index.endpoint('10.9.9.9', 1)).toMatchObject({ address: '10.9.9.9', workload: '' });
  });
});
