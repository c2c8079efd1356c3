/**
 * `node.metadata` as the server reads it (xds-server/node-metadata.ts): only `sluice.dev/` keys are
 * decoded (every Value kind), other keys are skipped unread, and malformed or too deeply nested
 * values are a WireError (the stream ends INVALID_ARGUMENT), never a crash.
 */
import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { decodeRequest, WireError } from '../../xds-server/wire.js';
import { restatedNode } from '../../xds-server/node-metadata.js';

const LEN = 2;
const msg = (build: (w: protobuf.Writer) => void): Uint8Array => {
  const w = protobuf.Writer.create();
  build(w);
  return w.finish();
};
const value = {
  str: (s: string) => msg((w) => w.uint32((3 << 3) | LEN).string(s)),
  num: (n: number) => msg((w) => w.uint32((2 << 3) | 1).double(n)),
  bool: (b: boolean) => msg((w) => w.uint32(4 << 3).bool(b)),
  nul: () => msg((w) => w.uint32(1 << 3).int32(0)),
  struct: (fields: Record<string, Uint8Array>) => msg((w) => w.uint32((5 << 3) | LEN).bytes(struct(fields))),
  list: (values: Uint8Array[]) => msg((w) => w.uint32((6 << 3) | LEN).bytes(msg((l) => values.forEach((v) => l.uint32((1 << 3) | LEN).bytes(v))))),
};
function struct(fields: Record<string, Uint8Array>): Uint8Array {
  return msg((w) => {
    for (const [k, v] of Object.entries(fields)) w.uint32((1 << 3) | LEN).bytes(msg((e) => e.uint32((1 << 3) | LEN).string(k).uint32((2 << 3) | LEN).bytes(v)));
  });
}
const request = (metadata: Uint8Array): Uint8Array =>
  msg((w) => {
    w.uint32((2 << 3) | LEN).bytes(msg((n) => n.uint32((1 << 3) | LEN).string('node-a.agent').uint32((3 << 3) | LEN).bytes(metadata)));
    w.uint32((4 << 3) | LEN).string('type.googleapis.com/sluice.redirect.v1alpha1.NodeRedirects');
  });

describe('node.metadata', () => {
  it("decodes the sluice.dev/ keys, every Value kind, and skips the others unread", () => {
    const md = struct({
      'sluice.dev/unresolved-pods': value.struct({ pods: value.list([value.struct({ uid: value.str('u1'), reason: value.str('cgroup-not-found') })]), total: value.num(1) }),
      'sluice.dev/flags': value.list([value.bool(true), value.nul(), value.num(2.5)]),
      // Envoy's own metadata: not decoded (a Value that would not even decode is never looked at).
      ISTIO_VERSION: msg((w) => w.uint32((3 << 3) | 0).uint32(7)),
    });
    const req = decodeRequest(request(md), 10);
    expect(req.node?.id).toBe('node-a.agent');
    expect(req.node?.metadata).toEqual({
      'sluice.dev/unresolved-pods': { pods: [{ uid: 'u1', reason: 'cgroup-not-found' }], total: 1 },
      'sluice.dev/flags': [true, null, 2.5],
    });
  });

  it('leaves metadata out when it has no sluice.dev/ key', () => {
    const req = decodeRequest(request(struct({ other: value.str('x') })), 10);
    expect(req.node).toEqual({ id: 'node-a.agent', cluster: '', userAgentName: '', userAgentVersion: '' });
  });

  it('refuses a sluice.dev/ value of the wrong wire type, and nesting deeper than 8', () => {
    const bad = struct({ 'sluice.dev/x': msg((w) => w.uint32((3 << 3) | 0).uint32(7)) });
    expect(() => decodeRequest(request(bad), 10)).toThrow(WireError);
    expect(() => decodeRequest(request(bad), 10)).toThrow('Value.string_value: field 3 has wire type 0, expected 2');
    let deep = value.str('bottom');
    for (let i = 0; i < 10; i++) deep = value.list([deep]);
    expect(() => decodeRequest(request(struct({ 'sluice.dev/deep': deep })), 10)).toThrow('node.metadata: nested deeper than 8');
    let ok = value.str('bottom');
    for (let i = 0; i < 7; i++) ok = value.list([ok]);
    expect(decodeRequest(request(struct({ 'sluice.dev/deep': ok })), 10).node?.metadata?.['sluice.dev/deep']).toEqual([[[[[[[ 'bottom' ]]]]]]]);
  });

  it('takes only the metadata from a node a later request restates: never another id or identity', () => {
    const held = { id: 'node-a.agent', cluster: 'c', userAgentName: 'sluice-node-agent', userAgentVersion: '1', metadata: { 'sluice.dev/unresolved-pods': { pods: [], total: 0 } } };
    const report = { 'sluice.dev/unresolved-pods': { pods: [{ uid: 'u1', reason: 'cgroup-not-found' }], total: 1 } };
    expect(restatedNode(held, undefined)).toBeUndefined();
    expect(restatedNode(held, { ...held, id: 'node-b.agent' })).toBeUndefined();
    expect(restatedNode(held, { id: 'node-b.agent', cluster: 'other', userAgentName: 'x', userAgentVersion: '9', metadata: report })).toEqual({ ...held, metadata: report });
    const { metadata: _dropped, ...bare } = held;
    expect(restatedNode(held, { id: 'node-a.agent', cluster: 'c', userAgentName: 'sluice-node-agent', userAgentVersion: '1' })).toEqual(bare);
  });
});
