/**
 * flows/record.ts against proto/sluice/flow/v1alpha1/flow.proto: every proto field has its TS
 * field and back, every enum value its TS value, and a record survives the binary encoding and
 * the canonical JSON mapping unchanged.
 */
import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { decodeFlow, DIRECTIONS, encodeFlow, flowFromJson, flowMessage, flowProtoRoot, flowToJson, flowToJsonpb, MESSAGE, PROTOCOLS, VERDICTS, type FlowRecord } from '../../flows/index.js';
import { BATCH, flow, ORDERS } from './fixtures.js';

/** The TS name of each proto field, per message (the mapping record.ts documents). */
const TS_FIELDS: Record<string, Record<string, string>> = {
  Flow: { time: 'time', node: 'node', direction: 'direction', source: 'source', destination: 'destination', protocol: 'protocol', http: 'http', grpc: 'grpc', kafka: 'kafka', verdict: 'verdict', policy: 'policy', rule: 'rule', reason: 'reason', duration: 'durationMs', bytes_received: 'bytesReceived', bytes_sent: 'bytesSent' },
  Endpoint: { address: 'address', port: 'port', workload: 'workload', namespace: 'namespace', labels: 'labels' },
  Http: { method: 'method', path: 'path', authority: 'authority', status: 'status', version: 'version' },
  Grpc: { service: 'service', method: 'method', status: 'status' },
  Kafka: { api: 'api', api_version: 'apiVersion', topic: 'topic', group: 'group', client_id: 'clientId' },
};

const grpcFlow: FlowRecord = (() => {
  const { http: _http, ...rest } = flow({ protocol: 'grpc', verdict: 'denied', rule: '', reason: 'no allow rule matched' });
  return { ...rest, grpc: { service: 'shop.v1.Orders', method: 'List', status: 'PERMISSION_DENIED' } };
})();
const kafkaFlow: FlowRecord = (() => {
  const { http: _http, ...rest } = flow({ protocol: 'kafka', verdict: 'audit-denied', source: BATCH, destination: { ...ORDERS, port: 9092 }, direction: 'egress' });
  return { ...rest, kafka: { api: 'Produce', apiVersion: 9, topic: 'invoices', group: '', clientId: 'billing' } };
})();
const tcpFlow: FlowRecord = (() => {
  const { http: _http, ...rest } = flow({ protocol: 'tcp', verdict: 'denied', policy: '', rule: '', reason: 'no filter chain accepts this connection', destination: { ...ORDERS, port: 7777 }, bytesReceived: 0, bytesSent: 0 });
  return rest;
})();

describe('the flow record', () => {
  it('has a TS field for every field of every message of the proto, and no other', () => {
    const root = flowProtoRoot();
    for (const [message, fields] of Object.entries(TS_FIELDS)) {
      const type = root.lookupType(`sluice.flow.v1alpha1.${message}`);
      expect(type.fieldsArray.map((f) => f.name).sort()).toEqual(Object.keys(fields).sort());
    }
    const sample = { ...flow(), grpc: grpcFlow.grpc, kafka: kafkaFlow.kafka };
    expect(Object.keys(sample).sort()).toEqual(Object.values(TS_FIELDS['Flow'] ?? {}).sort());
    expect(Object.keys(flow().source).sort()).toEqual(Object.values(TS_FIELDS['Endpoint'] ?? {}).sort());
    expect(Object.keys(flow().http ?? {}).sort()).toEqual(Object.values(TS_FIELDS['Http'] ?? {}).sort());
    expect(Object.keys(grpcFlow.grpc ?? {}).sort()).toEqual(Object.values(TS_FIELDS['Grpc'] ?? {}).sort());
    expect(Object.keys(kafkaFlow.kafka ?? {}).sort()).toEqual(Object.values(TS_FIELDS['Kafka'] ?? {}).sort());
  });

  it('has every field issue 12 lists for a flow record, with its type', () => {
    // "time, node, direction, source and destination (address, port, and the workload, namespace
    // and labels resolved from the inventory), protocol, L7 fields (HTTP method, path, authority,
    // status; gRPC service, method, status; Kafka API, version, topic or group, client id), the
    // verdict (forwarded, denied, audit-denied), the deciding policy and rule id, duration and bytes."
    const listed: Record<string, string> = {
      time: 'google.protobuf.Timestamp', node: 'string', direction: 'Direction',
      'source.address': 'string', 'source.port': 'uint32', 'source.workload': 'string', 'source.namespace': 'string', 'source.labels': 'map<string,string>',
      'destination.address': 'string', 'destination.port': 'uint32', 'destination.workload': 'string', 'destination.namespace': 'string', 'destination.labels': 'map<string,string>',
      protocol: 'Protocol',
      'http.method': 'string', 'http.path': 'string', 'http.authority': 'string', 'http.status': 'uint32',
      'grpc.service': 'string', 'grpc.method': 'string', 'grpc.status': 'string',
      'kafka.api': 'string', 'kafka.api_version': 'uint32', 'kafka.topic': 'string', 'kafka.group': 'string', 'kafka.client_id': 'string',
      verdict: 'Verdict', policy: 'string', rule: 'string', duration: 'google.protobuf.Duration', bytes_received: 'uint64', bytes_sent: 'uint64',
    };
    const root = flowProtoRoot();
    const typeOf = (dotted: string): string => {
      let type = root.lookupType('sluice.flow.v1alpha1.Flow');
      const parts = dotted.split('.');
      for (const [i, name] of parts.entries()) {
        const field = type.fields[name];
        if (!field) return 'missing';
        field.resolve();
        if (i === parts.length - 1) {
          if (field instanceof protobuf.MapField) return `map<${field.keyType},${field.type}>`;
          return field.resolvedType ? field.resolvedType.fullName.replace(/^\.(sluice\.flow\.v1alpha1\.)?/, '') : field.type;
        }
        type = field.resolvedType as protobuf.Type;
      }
      return 'missing';
    };
    expect(Object.fromEntries(Object.keys(listed).map((k) => [k, typeOf(k)]))).toEqual(listed);
    expect((root.lookup('sluice.flow.v1alpha1.Verdict') as protobuf.Enum).values).toMatchObject({ FORWARDED: 1, DENIED: 2, AUDIT_DENIED: 3 });
    // The L7 fields are one of HTTP, gRPC or Kafka.
    expect(root.lookupType('sluice.flow.v1alpha1.Flow').oneofs['l7']?.oneof).toEqual(['http', 'grpc', 'kafka']);
  });

  it('has one TS value for every enum value of the proto', () => {
    const root = flowProtoRoot();
    const names = (e: string) => Object.keys((root.lookup(`sluice.flow.v1alpha1.${e}`) as protobuf.Enum).values);
    expect(names('Direction')).toEqual(['DIRECTION_UNKNOWN', 'INGRESS', 'EGRESS']);
    expect(DIRECTIONS).toEqual(['unknown', 'ingress', 'egress']);
    expect(names('Protocol')).toEqual(['PROTOCOL_UNKNOWN', 'HTTP', 'GRPC', 'KAFKA', 'TCP']);
    expect(PROTOCOLS).toEqual(['unknown', 'http', 'grpc', 'kafka', 'tcp']);
    expect(names('Verdict')).toEqual(['VERDICT_UNKNOWN', 'FORWARDED', 'DENIED', 'AUDIT_DENIED']);
    expect(VERDICTS).toEqual(['unknown', 'forwarded', 'denied', 'audit-denied']);
    for (const v of VERDICTS) expect(decodeFlow(encodeFlow(flow({ verdict: v }))).verdict).toBe(v);
    for (const d of DIRECTIONS) expect(decodeFlow(encodeFlow(flow({ direction: d }))).direction).toBe(d);
  });

  it.each([['HTTP', flow()], ['gRPC', grpcFlow], ['Kafka', kafkaFlow], ['TCP', tcpFlow]])('survives the binary encoding unchanged (%s)', (_name, f) => {
    expect(decodeFlow(encodeFlow(f))).toEqual(f);
    // The bytes are a Flow as any protobuf reader sees it: the verdict and rule at their field numbers.
    const raw = flowMessage(MESSAGE.flow).decode(encodeFlow(f)) as unknown as { rule: string; verdict: number };
    expect(raw.rule).toBe(f.rule);
    expect(raw.verdict).toBe(VERDICTS.indexOf(f.verdict));
  });

  it('writes the canonical proto3 JSON mapping (-o jsonpb)', () => {
    const json = flowToJsonpb(kafkaFlow);
    expect(json).toEqual({
      time: '2025-01-02T03:04:05.678912Z',
      node: 'node-a',
      direction: 'EGRESS',
      source: { address: '10.3.0.5', port: 42000, workload: 'batch', namespace: 'ops', labels: { app: 'batch' } },
      destination: { address: '10.1.0.7', port: 9092, workload: 'orders', namespace: 'shop', labels: { app: 'orders', tier: 'backend' } },
      protocol: 'KAFKA',
      kafka: { api: 'Produce', apiVersion: 9, topic: 'invoices', clientId: 'billing' },
      verdict: 'AUDIT_DENIED',
      policy: 'shop/orders-api',
      rule: 'shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]',
      reason: 'allow rule matched',
      duration: '0.001250s',
      bytesReceived: '120',
      bytesSent: '340',
    });
    // protobufjs reads the same JSON back into the same message (names and enums agree).
    const type = flowMessage(MESSAGE.flow);
    const { time: _t, duration: _d, ...plain } = json;
    const back = type.toObject(type.fromObject(Object.fromEntries(Object.entries(plain).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]))), { enums: String, longs: String });
    expect(back['verdict']).toBe('AUDIT_DENIED');
    expect(back['bytes_sent']).toBe('340');
  });

  it('reads its own JSON-lines form back, and says what is wrong with a line that is not one', () => {
    expect(flowFromJson(JSON.parse(JSON.stringify(flowToJson(grpcFlow))))).toEqual(grpcFlow);
    expect(flowFromJson([])).toBe('not a JSON object');
    expect(flowFromJson({ time: 'yesterday' })).toBe('time: expected an RFC 3339 timestamp');
    expect(flowFromJson({ ...flowToJson(grpcFlow), verdict: 3 })).toBe('verdict: expected a string');
  });
});
