import { describe, expect, it } from '@jest/globals';
import { endpoint, flow } from '../test/flows/fixtures.js';
import { tableLine } from './format.js';

describe('the table form of a flow', () => {
  it('writes a workload as namespace/name:port and an address as host:port, IPv6 in brackets', () => {
    const line = tableLine(flow({ source: endpoint('', '', 'fd00::9', 41000), destination: endpoint('', '', '10.1.0.7', 8080) }));
    expect(line).toContain(' [fd00::9]:41000 ');
    expect(line).toContain(' 10.1.0.7:8080 ');
    expect(tableLine(flow())).toContain(' shop/web:41000 ');
  });
});
