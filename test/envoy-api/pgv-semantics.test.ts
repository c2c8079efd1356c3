import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { auditRuleKinds, checkResource, createEnvoyChecker, protoRoot, SLUICE_EMITTED_TYPES, SUPPORTED_RULE_KINDS } from '../../envoy-api/index.js';
import { harness, harnessLoader, harnessMessages } from './harness-root.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = harnessLoader();
root.loadSync(path.join(here, 'testdata', 'synthetic.proto'), { keepCase: true });
root.resolveAll();
const checker = createEnvoyChecker({ root });
const check = (type: string, json: unknown): string[] => checker.check(`sluice.test.v1.${type}`, json).map((v) => `${v.path} ${v.rule}`);

describe('duration rules (synthetic messages)', () => {
  it.each([
    ['exact', { seconds: 5 }, { seconds: 5, nanos: 1 }, 'duration.const'],
    ['one_of', { nanos: 1000 }, { seconds: 2 }, 'duration.in'],
    ['non_zero', { nanos: 1 }, {}, 'duration.not_in'],
    ['under_1s', { nanos: 999999999 }, { seconds: 1 }, 'duration.lt'],
    ['window', { seconds: 60 }, { seconds: 59 }, 'duration.gte'],
    ['window', { seconds: 3600 }, { seconds: 3601 }, 'duration.lte'],
    ['outside', { seconds: 60 }, { seconds: 61 }, 'duration.lte'],
    ['outside', { seconds: 3600 }, { seconds: 3599 }, 'duration.lte'],
    ['positive', { nanos: 1001 }, { nanos: 1000 }, 'duration.gt'],
  ])('%s: %j passes, %j fails %s', (field, ok, bad, rule) => {
    expect(check('Durations', { [field]: ok })).toEqual([]);
    expect(check('Durations', { [field]: bad })).toEqual([`${field} ${rule}`]);
  });

  it("applies the same exclusive-range semantics to Envoy's QuicKeepAliveSettings (lte 0, gte 1s: zero or at least 1s)", () => {
    const listener = (maxInterval: unknown): unknown => ({
      name: 'quic',
      address: { socket_address: { protocol: 'UDP', address: '0.0.0.0', port_value: 443 } },
      udp_listener_config: { quic_options: { quic_protocol_options: { connection_keepalive: { max_interval: maxInterval } } } },
    });
    const at = 'udp_listener_config.quic_options.quic_protocol_options.connection_keepalive.max_interval';
    expect(checkResource('envoy.config.listener.v3.Listener', listener({}))).toEqual([]);
    expect(checkResource('envoy.config.listener.v3.Listener', listener({ seconds: 1 }))).toEqual([]);
    expect(checkResource('envoy.config.listener.v3.Listener', listener({ seconds: 30 }))).toEqual([]);
    expect(checkResource('envoy.config.listener.v3.Listener', listener({ nanos: 500000000 })).map((v) => `${v.path} ${v.rule}`)).toEqual([`${at} duration.lte`]);
  });
});

describe("upstream PGV's ignore_empty", () => {
  it('skips every rule of a field at its empty value, and applies them otherwise', () => {
    expect(check('IgnoreEmpty', {})).toEqual([]);
    expect(check('IgnoreEmpty', { port: 0, key: '', tags: [], labels: {}, host: '' })).toEqual([]);
    expect(check('IgnoreEmpty', { port: 80, key: 'AQI=', tags: ['a'], labels: { a: 'b' }, host: '-bad-' })).toEqual([
      'port uint32.gte', 'key bytes.len', 'tags repeated.min_items', 'labels map.min_pairs', 'host string.hostname',
    ]);
  });
});

describe('message-level switches and presence', () => {
  it('(validate.disabled) and (validate.ignored) turn PGV off for the message and below, not the shape check', () => {
    expect(check('Holder', { disabled: { name: '', inner: {} }, ignored: { inner: { name: '' } } })).toEqual([]);
    expect(check('Holder', { disabled: { nme: 'x' } })).toEqual(['disabled.nme json.unknown_field']);
    expect(check('Holder', { inner: {} })).toEqual(['inner.name string.min_len']);
  });

  it('proto3 optional fields are checked only when set, and set at their default value is still set', () => {
    expect(check('Presence', { plain: 'x' })).toEqual([]);
    expect(check('Presence', {})).toEqual(['plain string.min_len']);
    expect(check('Presence', { plain: 'x', opt: '', port: 0 })).toEqual(['opt string.min_len', 'port uint32.gt']);
  });

  it('merges rule statements written as several options', () => {
    expect(check('SplitStatements', { code: 'xy', level: 2 })).toEqual([]);
    expect(check('SplitStatements', { code: 'abcd', level: 3 })).toEqual(['code string.max_len', 'code string.prefix', 'level int32.in']);
  });
});

describe('rules the checker cannot evaluate are reported, never passed', () => {
  it('an unknown rule key, a rule type that does not fit the field, an unknown rule type', () => {
    // (future_list, absent here, is covered by the next test.)
    const rules = (json: unknown): string[] => checker.check('sluice.test.v1.Unsupported', json).filter((v) => v.path !== 'future_list').map((v) => `${v.path} ${v.rule}: ${v.message}`);
    expect(rules({ future: 'x' })).toEqual(['future pgv.unsupported: cannot evaluate the PGV rule string.shiny_new_rule; the field is not known to be valid']);
    expect(rules({ mismatched: 3 })).toEqual(['mismatched pgv.unsupported: string rules cannot apply to a uint32 value']);
    expect(rules({ unknown_type: 'x' })).toEqual(['unknown_type pgv.unsupported: cannot evaluate the PGV rule quaternion; the field is not known to be valid']);
  });

  it('inside items and map values too, and on an absent field whose unknown rule might fail it', () => {
    const future = 'future_list pgv.unsupported';
    expect(check('Unsupported', { future_list: ['x'] })).toEqual([future]);
    expect(check('Unsupported', {})).toEqual([future]);
    expect(check('Unsupported', { future_items: ['a'], future_values: { k: 'v' } })).toEqual(['future_items pgv.unsupported', 'future_values pgv.unsupported', future]);
  });

  it('the audit lists them, so the coverage test would fail on such a message', () => {
    const audit = auditRuleKinds(root, ['sluice.test.v1.Unsupported']);
    expect(audit.unsupported.map((u) => `${u.kind} @ ${u.where}`).sort()).toEqual([
      'quaternion.const @ sluice.test.v1.Unsupported.unknown_type',
      'repeated.min_items_soon @ sluice.test.v1.Unsupported.future_list',
      'string.shiny_new_rule @ sluice.test.v1.Unsupported.future',
      'string.shiny_new_rule @ sluice.test.v1.Unsupported.future_items',
      'string.shiny_new_rule @ sluice.test.v1.Unsupported.future_values',
      'unreadable quaternion @ sluice.test.v1.Unsupported.unknown_type',
      'unreadable repeated.min_items_soon @ sluice.test.v1.Unsupported.future_list',
      'unreadable string.shiny_new_rule @ sluice.test.v1.Unsupported.future',
      'unreadable string.shiny_new_rule @ sluice.test.v1.Unsupported.future_items',
      'unreadable string.shiny_new_rule @ sluice.test.v1.Unsupported.future_values',
    ]);
  });

  it('reads rules from the flat option form when protobufjs kept no structured one, and merges several structured entries', () => {
    const type = new protobuf.Type('Hand').add(new protobuf.Field('flat', 1, 'string')).add(new protobuf.Field('split', 2, 'string'));
    const flat = type.fields.flat;
    const split = type.fields.split;
    if (!flat || !split) throw new Error('fields not added');
    flat.options = { '(validate.rules).string.min_len': 2 };
    split.parsedOptions = [{ '(validate.rules)': { string: { min_len: 2 } } }, { '(validate.rules)': { string: { max_len: 3 } } }] as unknown as typeof split.parsedOptions;
    const handRoot = new protobuf.Root().define('hand').add(type).root as protobuf.Root;
    handRoot.resolveAll();
    const hand = createEnvoyChecker({ root: handRoot });
    expect(hand.check('hand.Hand', { flat: 'ab', split: 'abc' })).toEqual([]);
    expect(hand.check('hand.Hand', { flat: 'a', split: 'abcd' }).map((v) => `${v.path} ${v.rule}`)).toEqual(['flat string.min_len', 'split string.max_len']);
  });
});

it('every rule kind the checker claims is exercised by Envoy messages, the PGV harness or the synthetic messages', () => {
  const seen = new Set<string>();
  for (const audit of [
    auditRuleKinds(protoRoot(), SLUICE_EMITTED_TYPES),
    auditRuleKinds(harness().root, harnessMessages(harness().root)),
    auditRuleKinds(root, ['sluice.test.v1.Durations', 'sluice.test.v1.IgnoreEmpty', 'sluice.test.v1.Holder', 'sluice.test.v1.Presence']),
  ]) for (const kind of audit.kinds.keys()) seen.add(kind);
  const unexercised = [...SUPPORTED_RULE_KINDS].filter((k) => !seen.has(k) && !/^(s?fixed|s?int|uint|float|double)(32|64)?\.ignore_empty$/.test(k));
  // ignore_empty is one code path for all twelve numeric kinds; uint32's is exercised above.
  expect(seen.has('uint32.ignore_empty')).toBe(true);
  expect(unexercised).toEqual([]);
});
