/** The registry of resource types: what the xDS server, the compiler, the CLI and status derive from it. */
import { describe, expect, it } from '@jest/globals';
import { protoRoot } from './proto-root.js';
import { MESSAGES, SLUICE_EMITTED_TYPES } from './protos.js';
import { PUSH_ORDER, RESOURCE_TYPE_LIST, RESOURCE_TYPES, TYPE_URL, isTypeUrl, messageNameOf, resourceType, typeInfo, typeUrlOf } from './resource-types.js';

describe('resource types', () => {
  it('push make-before-break: clusters, endpoints, listeners, routes, secrets, Kafka policies, node redirects', () => {
    expect(PUSH_ORDER.map((t) => t.short)).toEqual(['CDS', 'EDS', 'LDS', 'RDS', 'SDS', 'KAFKA', 'REDIRECTS']);
    expect(new Set(PUSH_ORDER.map((t) => t.order)).size).toBe(PUSH_ORDER.length);
    expect(PUSH_ORDER.filter((t) => t.fullState).map((t) => t.short)).toEqual(['CDS', 'LDS', 'KAFKA', 'REDIRECTS']);
  });

  it('list for people listeners first, each under its own label', () => {
    expect(RESOURCE_TYPE_LIST.map((t) => t.label)).toEqual(['listeners', 'routes', 'clusters', 'endpoints', 'secrets', 'kafkaPolicies', 'nodeRedirects']);
  });

  it('are emitted messages of the loaded protos, and their type URLs lead back to them', () => {
    for (const t of RESOURCE_TYPE_LIST) {
      expect(SLUICE_EMITTED_TYPES).toContain(t.message);
      expect(protoRoot().lookupType(t.message).fullName).toBe(`.${t.message}`);
      expect(TYPE_URL[t.short]).toBe(`type.googleapis.com/${t.message}`);
      expect(typeInfo(t.typeUrl)).toBe(t);
      expect(resourceType(t.message)).toBe(t);
      expect(messageNameOf(t.typeUrl)).toBe(t.message);
      expect(isTypeUrl(t.typeUrl)).toBe(true);
    }
    expect(Object.keys(RESOURCE_TYPES)).toHaveLength(RESOURCE_TYPE_LIST.length);
    expect(typeInfo(typeUrlOf(MESSAGES.rbac))).toBeUndefined();
    expect(isTypeUrl('type.googleapis.com/envoy.service.runtime.v3.Runtime')).toBe(false);
  });

  it('every emitted message is a loaded message type', () => {
    for (const m of SLUICE_EMITTED_TYPES) expect(protoRoot().lookupType(m).fullName).toBe(`.${m}`);
  });
});
