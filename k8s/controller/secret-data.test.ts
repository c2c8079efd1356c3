import { describe, expect, it } from '@jest/globals';
import { decodedLength, secretKeys } from './secret-data.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('secretKeys: a Secret object\'s data, decoded for the secret source', () => {
  it('decodes each key of data; stringData and other fields are never read', () => {
    const keys = secretKeys({ data: { 'tls.crt': b64('cert'), token: b64('t0k\n') }, stringData: { other: 'x' }, type: 'kubernetes.io/tls' });
    expect([...keys]).toEqual([['tls.crt', { text: 'cert' }], ['token', { text: 't0k\n' }]]);
  });

  it('refuses a value over the limit from its encoded length, without decoding it', () => {
    const huge = 'A'.repeat(1_000_000);
    expect(secretKeys({ data: { 'tls.crt': huge } }, 256 * 1024).get('tls.crt')).toEqual({ problem: '750000 bytes; the limit is 262144' });
    expect(decodedLength(b64('abcd'))).toBe(4);
    expect(decodedLength(b64('abcde'))).toBe(5);
  });

  it('refuses what is not base64 and what is not a string; no data is no keys', () => {
    expect(secretKeys({ data: { a: 'no*base64', b: 7, c: null } })).toEqual(new Map([
      ['a', { problem: 'not valid base64' }],
      ['b', { problem: 'not a base64 string (number)' }],
      ['c', { problem: 'not a base64 string (null)' }],
    ]));
    expect(secretKeys({ metadata: { name: 'x' } }).size).toBe(0);
    expect(secretKeys('nonsense').size).toBe(0);
  });
});
