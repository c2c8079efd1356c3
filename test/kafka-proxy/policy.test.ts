/** The pure parts: API/role tables, KafkaPolicy validation with field paths, and rule semantics. */
import { describe, expect, test } from '@jest/globals';
import {
  KAFKA_API_KEYS, ROLE_APIS, apiKeyOf, apiNameOf, expandApiKeys, roleApiKeys, isKafkaRole, validateKafkaPolicy, evaluateUnit, decideRequest,
  PolicyStore, type KafkaPolicyJson, type RequestContext,
} from '../../kafka-proxy/index.js';

describe('API and role tables', () => {
  test('names and keys map both ways', () => {
    expect(apiKeyOf('Produce')).toBe(0);
    expect(apiKeyOf('DescribeCluster')).toBe(60);
    expect(apiKeyOf('produce')).toBeUndefined();
    expect(apiKeyOf('toString')).toBeUndefined();
    expect(apiNameOf(68)).toBe('ConsumerGroupHeartbeat');
    expect(apiNameOf(9999)).toBe('Unknown(9999)');
    for (const [name, key] of Object.entries(KAFKA_API_KEYS)) expect(apiNameOf(key)).toBe(name);
  });

  test('produce covers an idempotent and transactional producer (Cilium\'s did not)', () => {
    for (const api of ['Produce', 'Metadata', 'ApiVersions', 'InitProducerId', 'AddPartitionsToTxn', 'EndTxn', 'FindCoordinator'] as const) {
      expect(ROLE_APIS.produce).toContain(api);
    }
    expect(ROLE_APIS.produce).not.toContain('Fetch');
  });

  test('consume covers a consumer group, classic and KIP-848', () => {
    for (const api of ['Fetch', 'ListOffsets', 'OffsetForLeaderEpoch', 'OffsetCommit', 'OffsetFetch', 'FindCoordinator', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'ConsumerGroupHeartbeat'] as const) {
      expect(ROLE_APIS.consume).toContain(api);
    }
    expect(ROLE_APIS.consume).not.toContain('Produce');
  });

  test('admin includes describe; describe changes nothing', () => {
    for (const api of ROLE_APIS.describe) expect(ROLE_APIS.admin).toContain(api);
    expect(ROLE_APIS.describe).not.toContain('CreateTopics');
    expect(ROLE_APIS.admin).toContain('DeleteTopics');
  });

  test('expandApiKeys unions role and names, sorted and unique', () => {
    expect(expandApiKeys(undefined, undefined)).toBeUndefined();
    expect(expandApiKeys(undefined, ['Fetch', 'Produce', 'Fetch'])).toEqual([0, 1]);
    const both = expandApiKeys('produce', ['DeleteTopics'])!;
    expect(both).toEqual([...new Set([...roleApiKeys('produce'), 20])].sort((a, b) => a - b));
    expect(isKafkaRole('consume')).toBe(true);
    expect(isKafkaRole('root')).toBe(false);
  });
});

describe('KafkaPolicy validation', () => {
  test('problems carry field paths', () => {
    const { problems } = validateKafkaPolicy({
      name: '', endpoints: [{ address: 'nope', port: 0 }], mode: 'LOUD' as 'AUDIT',
      allow: [{ role: 'root', api_keys: [-1], api_version: { min: 5, max: 2 }, topic: { exact: 'a', prefix: 'b' } as unknown as { exact: string }, peers: [{ address_prefix: '10.0.0.0', prefix_len: 40 }] }],
      deny: [{ group: { prefix: '' } }],
    });
    expect(problems.map((p) => p.path)).toEqual([
      'name', 'endpoints[0].port', 'endpoints[0].address', 'mode', 'deny[0].group.prefix',
      'allow[0].role', 'allow[0].api_keys[0]', 'allow[0].api_version', 'allow[0].peers[0]', 'allow[0].topic',
    ]);
  });

  test('a valid policy yields typed rules with their ids', () => {
    const { policy, problems } = validateKafkaPolicy({ name: 'p', endpoints: [{ port: 9092 }], allow: [{ id: 'x#rules.kafka[0]', role: 'produce', api_keys: [0, 3], topic: { prefix: 'a.' } }] });
    expect(problems).toEqual([]);
    expect(policy.allow[0]).toMatchObject({ id: 'x#rules.kafka[0]', role: 'produce', topic: { kind: 'prefix', value: 'a.' }, minVersion: 0, maxVersion: 32767 });
    expect(policy.mode).toBe('enforce');
  });
});

describe('rule semantics', () => {
  const P = (json: Omit<KafkaPolicyJson, 'name'>) => validateKafkaPolicy({ name: 'p', endpoints: [{ port: 9092 }], ...json }).policy;
  const ctx = (apiKey: number, extra: Partial<RequestContext> = {}): RequestContext => ({ apiKey, apiVersion: 7, clientId: 'billing-1', peer: '10.1.2.3', ...extra });
  const none = { topics: [], groups: [], transactionalIds: [] };

  test('rules are OR-ed, fields AND-ed, and what no rule allows is denied', () => {
    const p = P({ allow: [{ id: 'a', api_keys: [0], topic: { exact: 'orders' }, client_id: { prefix: 'billing' } }, { id: 'b', api_keys: [0], topic: { exact: 'audit' } }] });
    const res = { ...none, topics: ['orders', 'audit', 'other'] };
    expect(evaluateUnit(p, ctx(0), res, 'topic', 'orders')).toEqual({ allowed: true, ruleId: 'a' });
    expect(evaluateUnit(p, ctx(0), res, 'topic', 'audit')).toEqual({ allowed: true, ruleId: 'b' });
    expect(evaluateUnit(p, ctx(0), res, 'topic', 'other')).toEqual({ allowed: false, ruleId: 'default-deny' });
    expect(evaluateUnit(p, ctx(0, { clientId: 'web' }), res, 'topic', 'orders')).toEqual({ allowed: false, ruleId: 'default-deny' });
    expect(evaluateUnit(p, ctx(0, { clientId: null }), res, 'topic', 'audit').allowed).toBe(true);
    expect(evaluateUnit(p, ctx(1), res, 'topic', 'orders').allowed).toBe(false);
  });

  test('deny wins, and a topic deny does not touch requests without topics', () => {
    const p = P({ allow: [{ id: 'all' }], deny: [{ id: 'd', topic: { prefix: 'internal.' } }] });
    expect(evaluateUnit(p, ctx(0), { ...none, topics: ['internal.x'] }, 'topic', 'internal.x')).toEqual({ allowed: false, ruleId: 'd' });
    expect(evaluateUnit(p, ctx(11), { ...none, groups: ['g'] }, 'group', 'g').allowed).toBe(true);
    expect(evaluateUnit(p, ctx(11), { ...none, groups: ['g'] }, 'request').allowed).toBe(true);
  });

  test('a group deny fails the request; a group allow does not constrain Fetch, which has no group', () => {
    const p = P({ allow: [{ id: 'c', api_keys: [1, 8, 11], topic: { exact: 'orders' }, group: { prefix: 'billing-' } }], deny: [{ id: 'dg', group: { exact: 'billing-evil' } }] });
    expect(evaluateUnit(p, ctx(1), { ...none, topics: ['orders'] }, 'topic', 'orders').allowed).toBe(true);
    const commit = decideRequest(p, ctx(8), { ...none, topics: ['orders'], groups: ['billing-evil'] }, { groups: true, transactionalIds: false });
    expect(commit.scopes).toEqual([{ kind: 'group', name: 'billing-evil', verdict: { allowed: false, ruleId: 'dg' } }]);
    const other = decideRequest(p, ctx(11), { ...none, groups: ['auditors'] }, { groups: true, transactionalIds: false });
    expect(other.scopes[0]?.verdict.allowed).toBe(false);
    expect(other.request.allowed).toBe(false);
  });

  test('version ranges and peers scope a rule', () => {
    const p = P({ allow: [{ id: 'v', api_keys: [0], api_version: { min: 3, max: 8 }, peers: [{ address_prefix: '10.1.0.0', prefix_len: 16 }] }] });
    const t = { ...none, topics: ['x'] };
    expect(evaluateUnit(p, ctx(0, { apiVersion: 8 }), t, 'topic', 'x').allowed).toBe(true);
    expect(evaluateUnit(p, ctx(0, { apiVersion: 9 }), t, 'topic', 'x').allowed).toBe(false);
    expect(evaluateUnit(p, ctx(0, { peer: '::ffff:10.1.9.9' }), t, 'topic', 'x').allowed).toBe(true);
    expect(evaluateUnit(p, ctx(0, { peer: '10.2.0.1' }), t, 'topic', 'x').allowed).toBe(false);
  });

  test('connection APIs always pass; an uncovered port passes everything', () => {
    const p = P({});
    expect(evaluateUnit(p, ctx(18), none, 'request')).toEqual({ allowed: true, ruleId: 'connection-api' });
    expect(evaluateUnit(p, ctx(0), none, 'request').allowed).toBe(false);
    expect(evaluateUnit(undefined, ctx(0), none, 'request')).toEqual({ allowed: true, ruleId: 'uncovered' });
  });

  test('peer CIDRs: IPv4, IPv6, mapped addresses, and their problems', () => {
    const peers = (address_prefix: string, prefix_len: number) => validateKafkaPolicy({ name: 'p', allow: [{ id: 'a', peers: [{ address_prefix, prefix_len }] }] });
    const allowed = (address_prefix: string, prefix_len: number, peer: string) => evaluateUnit(peers(address_prefix, prefix_len).policy, { ...ctx(0), peer }, none, 'request').allowed;
    expect(allowed('fd00::', 8, 'fd12::1')).toBe(true);
    expect(allowed('fd00::', 8, 'fe00::1')).toBe(false);
    expect(allowed('192.168.1.0', 23, '192.168.0.200')).toBe(true);
    expect(allowed('192.168.1.0', 23, '::ffff:192.168.0.200')).toBe(true);
    expect(allowed('192.168.1.0', 23, '192.168.2.1')).toBe(false);
    const subject = { kind: 'resource', type: 'KAFKA', name: 'p' };
    expect(peers('1.2.3.4', 33).problems).toEqual([{ severity: 'error', code: 'kafka-policy.peer', path: 'allow[0].peers[0]', message: 'prefix length 33 out of 0..32', subject }]);
    expect(peers('1.2.3', 24).problems).toEqual([{ severity: 'error', code: 'kafka-policy.peer', path: 'allow[0].peers[0]', message: 'not an IP address: "1.2.3"', subject }]);
  });

  test('the store finds a policy by exact endpoint before a port-only one, and counts generations', () => {
    const store = new PolicyStore();
    expect(store.ready).toBe(false);
    const exact = validateKafkaPolicy({ name: 'exact', endpoints: [{ address: '10.0.0.5', port: 9092 }] }).policy;
    const any = validateKafkaPolicy({ name: 'any', endpoints: [{ port: 9092 }] }).policy;
    store.set([any, exact], 'v1');
    expect(store.lookup('10.0.0.5', 9092)?.name).toBe('exact');
    expect(store.lookup('::ffff:10.0.0.9', 9092)?.name).toBe('any');
    expect(store.lookup('10.0.0.5', 9093)).toBeUndefined();
    expect(store.generation).toBe(1);
  });
});
