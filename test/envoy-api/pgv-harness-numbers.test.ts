import { describe, expect, it } from '@jest/globals';
import { harness } from './harness-root.js';

/**
 * The 12 numeric kinds × 12 rule shapes of PGV's harness (numbers.proto). Signed kinds use
 * lt 0 / (0, 10); unsigned ones lt 5 / (5, 10); floats const 1.23 and in [4.56, 7.89].
 */
const KINDS = [
  ['Float', 'float'], ['Double', 'double'], ['Int32', 'int32'], ['Int64', 'int64'], ['UInt32', 'uint32'], ['UInt64', 'uint64'],
  ['SInt32', 'sint32'], ['SInt64', 'sint64'], ['Fixed32', 'fixed32'], ['Fixed64', 'fixed64'], ['SFixed32', 'sfixed32'], ['SFixed64', 'sfixed64'],
] as const;

type Shape = { valid: unknown[]; invalid: Array<[unknown, string]> };

function shapes(kind: string): Record<string, Shape> {
  const unsigned = kind.startsWith('u') || kind.startsWith('fixed');
  const floating = kind === 'float' || kind === 'double';
  const wide = kind.endsWith('64') && !floating;
  // 64-bit values are also given as decimal strings, the proto3 JSON form.
  const n = (v: number): unknown => (wide && v % 2 === 1 ? String(v) : v);
  const lo = unsigned ? 5 : 0;
  return {
    None: { valid: [undefined, n(0), n(3)], invalid: [] },
    Const: { valid: [floating ? 1.23 : n(1)], invalid: [[n(2), 'const'], [undefined, 'const']] },
    In: { valid: [floating ? 7.89 : n(3)], invalid: [[n(5), 'in']] },
    NotIn: { valid: [n(1)], invalid: [[n(0), 'not_in'], [undefined, 'not_in']] },
    LT: { valid: [unsigned ? n(4) : n(-1)], invalid: [[n(lo), 'lt'], [n(lo + 1), 'lt']] },
    LTE: { valid: [n(64), n(63)], invalid: [[n(65), 'lte']] },
    GT: { valid: [n(17)], invalid: [[n(16), 'gt'], [undefined, 'gt']] },
    GTE: { valid: [n(8), n(9)], invalid: [[n(7), 'gte']] },
    GTLT: { valid: [n(7)], invalid: [[n(lo), 'gt'], [n(10), 'lt']] },
    ExLTGT: { valid: [n(11), unsigned ? n(4) : n(-1)], invalid: [[n(lo), 'lt'], [n(10), 'lt'], [n(7), 'lt']] },
    GTELTE: { valid: [n(128), n(256), n(200)], invalid: [[n(127), 'gte'], [n(257), 'lte']] },
    ExGTELTE: { valid: [n(128), n(256), n(0), n(300)], invalid: [[n(129), 'lte'], [n(255), 'lte']] },
  };
}

describe('PGV numeric rules on the harness messages', () => {
  const { checker } = harness();
  for (const [prefix, kind] of KINDS) {
    for (const [shape, { valid, invalid }] of Object.entries(shapes(kind))) {
      const type = `tests.harness.cases.${prefix}${shape}`;
      it(`${prefix}${shape}: ${valid.length} valid, ${invalid.length} invalid`, () => {
        for (const v of valid) expect([v, checker.check(type, v === undefined ? {} : { val: v })]).toEqual([v, []]);
        for (const [v, rule] of invalid) {
          expect([v, checker.check(type, v === undefined ? {} : { val: v }).map((x) => `${x.path} ${x.rule}`)]).toEqual([v, [`val ${kind}.${rule}`]]);
        }
      });
    }
  }

  it('compares 64-bit values exactly, beyond 2^53', () => {
    // 2^53 + 1 is not a double; as a number it would equal 2^53 and pass `lt: 0`'s opposite tests wrongly.
    expect(checker.check('tests.harness.cases.Int64GT', { val: '9007199254740993' })).toEqual([]);
    expect(checker.check('tests.harness.cases.UInt64LTE', { val: '18446744073709551615' }).map((v) => v.rule)).toEqual(['uint64.lte']);
    expect(checker.check('tests.harness.cases.Int64LT', { val: '-9223372036854775808' })).toEqual([]);
  });

  it('compares floats at float32 precision and lets NaN through every bound, as PGV does', () => {
    expect(checker.check('tests.harness.cases.FloatConst', { val: 1.2300000190734863 })).toEqual([]);
    expect(checker.check('tests.harness.cases.DoubleConst', { val: 1.2300000190734863 }).map((v) => v.rule)).toEqual(['double.const']);
    expect(checker.check('tests.harness.cases.DoubleGTLT', { val: 'NaN' })).toEqual([]);
    expect(checker.check('tests.harness.cases.DoubleLTE', { val: 'Infinity' }).map((v) => v.rule)).toEqual(['double.lte']);
  });
});
