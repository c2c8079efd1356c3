import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../telemetry/index.js';
import { EnvironmentError, formatErrorLines, serializeError } from './environment-error.js';

class DiskError extends EnvironmentError<'full' | 'gone'> {
  override readonly name = 'DiskError';
}

describe('EnvironmentError', () => {
  it('carries a code, details and a cause, and stays an Error of its subclass', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const e = new DiskError('full', 'cannot save the state', ['wrote 0 of 4096 bytes'], { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(EnvironmentError);
    expect([e.name, e.code, e.details, e.cause]).toEqual(['DiskError', 'full', ['wrote 0 of 4096 bytes'], cause]);
  });

  it('is written to the log in full: code, details, the cause and its own fields', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now: () => new Date(0) });
    const cause = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    log.error('save failed', { error: new DiskError('full', 'cannot save the state', ['wrote 0 of 4096 bytes'], { cause }) });
    expect(JSON.parse(lines[0] ?? '{}')).toEqual({
      ts: '1970-01-01T00:00:00.000Z',
      level: 'error',
      msg: 'save failed',
      error: {
        name: 'DiskError',
        message: 'cannot save the state',
        code: 'full',
        details: ['wrote 0 of 4096 bytes'],
        cause: { name: 'Error', message: 'ENOSPC: no space left on device', code: 'ENOSPC', errno: -28, syscall: 'write' },
      },
    });
  });

  it('serializes a cycle of causes without looping, and a cause that is not an Error as text', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(JSON.stringify(serializeError(b)).length).toBeLessThan(1000);
    expect(serializeError(new Error('x', { cause: 42 }))).toEqual({ name: 'Error', message: 'x', cause: '42' });
  });

  it('prints on stderr as the message with its [code] and each detail indented; other errors as their message', () => {
    expect(formatErrorLines(new DiskError('full', 'cannot save the state', ['libbpf: map too big', 'verifier: R1 invalid']))).toBe('cannot save the state [full]\n  libbpf: map too big\n  verifier: R1 invalid\n');
    expect(formatErrorLines(new DiskError('gone', 'the disk is gone'))).toBe('the disk is gone [gone]\n');
    expect(formatErrorLines(new TypeError('x is not a function'))).toBe('x is not a function\n');
    expect(formatErrorLines('a string')).toBe('a string\n');
  });
});
