/** Tables that live in two places must agree: the tests are the link between them. */
import { describe, it, expect } from '@jest/globals';
import { SCHEMAS } from '../../policy-compiler/index.js';
import { KAFKA_ROLES } from '../../kafka-apis/index.js';

describe('shared tables', () => {
  it('the policy schema offers exactly the Kafka roles the enforcer knows', () => {
    const schema = SCHEMAS.L7Policy as { definitions: { KafkaRule: { properties: { role: { enum: string[] } } } } };
    expect(schema.definitions.KafkaRule.properties.role.enum).toEqual([...KAFKA_ROLES]);
  });
});
