import { describe, expect, it } from '@jest/globals';
import { decodedLength, secretChangeKey, secretKeyNames, secretKeys } from './secret-data.js';

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

  it('names the keys, never a value; a change is a change of data alone', () => {
    const secret = { metadata: { name: 'x', labels: { a: '1' } }, data: { 'tls.key': b64('k'), 'tls.crt': b64('c') } };
    expect(secretKeyNames(secret)).toEqual(['tls.crt', 'tls.key']);
    expect(secretChangeKey({ ...secret, metadata: { name: 'x', labels: { a: '2' } } })).toBe(secretChangeKey(secret));
    expect(secretChangeKey({ ...secret, data: { 'tls.crt': b64('c2'), 'tls.key': b64('k') } })).not.toBe(secretChangeKey(secret));
  });
});
