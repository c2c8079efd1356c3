/** Tables that live in two places must agree: the tests are the link between them. */
import { describe, it, expect } from '@jest/globals';
import { SCHEMAS } from '../../policy-compiler/index.js';
import { KAFKA_ROLES } from '../../kafka-apis/index.js';
import { MESSAGES, SLUICE_EMITTED_TYPES } from '../../envoy-api/index.js';
import { RESOURCE_TYPES } from '../../xds-server/index.js';

describe('shared tables', () => {
  it('the policy schema offers exactly the Kafka roles the enforcer knows', () => {
    const schema = SCHEMAS.L7Policy as { definitions: { KafkaRule: { properties: { role: { enum: string[] } } } } };
    expect(schema.definitions.KafkaRule.properties.role.enum).toEqual([...KAFKA_ROLES]);
  });

  it('the Envoy-rules checker audits every message the compiler emits', () => {
    const emitted = Object.values(MESSAGES).filter((m) => m.startsWith('envoy.'));
    expect(emitted.filter((m) => !SLUICE_EMITTED_TYPES.includes(m))).toEqual([]);
  });

  it('the xDS server serves every resource type the compiler emits', () => {
    const served = Object.values(RESOURCE_TYPES).map((t) => t.message as string);
    for (const m of [MESSAGES.listener, MESSAGES.routeConfiguration, MESSAGES.cluster, MESSAGES.clusterLoadAssignment, MESSAGES.kafkaPolicy]) expect(served).toContain(m);
  });
});
