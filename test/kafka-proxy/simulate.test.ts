/**
 * `simulateKafkaRequest` builds each request as a client would and runs the enforcer's own code on
 * it: every API the enforcer decodes, at every version, gives a verdict or says why it cannot,
 * and the verdict is the one the enforcer gives the same request built by kafkajs's encoder.
 */
import { describe, expect, it } from '@jest/globals';
import { apiNameOf, decodableVersions, enforceRequest, PROXY_API_KEYS, simulateKafkaRequest, validateKafkaPolicy } from '../../kafka-proxy/index.js';
import { kafkajsFrame } from './kafkajs-oracle.js';

const policy = validateKafkaPolicy({
  name: 'p', policy: 'data/invoices', endpoints: [{ port: 9092 }],
  allow: [{ id: 'produce', api_keys: [0, 3], topic: { exact: 'invoices' }, client_id: { prefix: 'billing' } }, { id: 'consume', topic: { prefix: 'audit.' }, group: { exact: 'auditors' } }],
  deny: [{ id: 'internal', topic: { prefix: 'internal.' } }],
}).policy;

describe('simulateKafkaRequest', () => {
  it('judges every API the enforcer decodes, at every version, without throwing', () => {
    let judged = 0;
    for (const apiKey of PROXY_API_KEYS) {
      const range = decodableVersions(apiKey);
      if (!range) continue;
      for (let v = range[0]; v <= range[1]; v++) {
        const r = simulateKafkaRequest(policy, { apiKey, apiVersion: v, clientId: 'billing-1', peer: '10.0.0.1', topics: ['invoices', 'internal.x'], groups: ['auditors'], transactionalId: 't' });
        if (typeof r === 'string') {
          expect(r).toMatch(new RegExp(`^${apiNameOf(apiKey)} v${v} names topics by id`));
          continue;
        }
        judged += 1;
        expect(r.apiVersion).toBe(v);
        expect(['allow', 'deny', 'partial', 'audit_deny']).toContain(r.outcome);
      }
    }
    expect(judged).toBeGreaterThan(100);
  });

  it('refuses an API or version the enforcer does not decode, as the enforcer closes such a connection', () => {
    expect(simulateKafkaRequest(policy, { apiKey: 0, apiVersion: 99, clientId: null, peer: '10.0.0.1', topics: [], groups: [] })).toMatch(/^Produce v99: the enforcer decodes v\d+–v\d+/);
  });

  it('agrees with the enforcer on the frame kafkajs sends', async () => {
    const frame = await kafkajsFrame('produce', 7, { acks: -1, timeout: 1000, topicData: [
      { topic: 'invoices', partitions: [{ partition: 0, messages: [{ value: 'x' }] }] },
      { topic: 'internal.x', partitions: [{ partition: 0, messages: [{ value: 'y' }] }] },
    ] }, 1, 'billing-1');
    const real = enforceRequest(frame, { policy, peer: '10.0.0.1' });
    if (!real.ok) throw new Error(real.error);
    const sim = simulateKafkaRequest(policy, { apiKey: 0, apiVersion: 7, clientId: 'billing-1', peer: '10.0.0.1', topics: ['invoices', 'internal.x'], groups: [] });
    if (typeof sim === 'string') throw new Error(sim);
    expect(sim.decisions).toEqual(real.enforcement.decisions);
    expect(sim.outcome).toBe('partial');
  });
});
