/**
 * The protobuf messages the flow collector speaks: Envoy's access-log service
 * (`envoy.service.accesslog.v3`, with `envoy.data.accesslog.v3` entries) and sluice's own
 * `sluice.flow.v1alpha1` (proto/sluice/flow/v1alpha1/flow.proto). Loaded once, lazily, from the
 * same include directories as the rest of Envoy's API (envoy-api), into a root of their own so
 * that the xDS root stays what it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { INCLUDE_DIRS } from '../envoy-api/index.js';

const require = createRequire(import.meta.url);
const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));

export const ALS_SERVICE = 'envoy.service.accesslog.v3.AccessLogService';
export const ALS_METHOD = 'StreamAccessLogs';
export const FLOW_SERVICE = 'sluice.flow.v1alpha1.FlowCollector';
export const FLOW_METHOD = 'PushFlows';

export const MESSAGE = {
  alsRequest: 'envoy.service.accesslog.v3.StreamAccessLogsMessage',
  alsResponse: 'envoy.service.accesslog.v3.StreamAccessLogsResponse',
  flow: 'sluice.flow.v1alpha1.Flow',
  pushRequest: 'sluice.flow.v1alpha1.PushFlowsRequest',
  pushResponse: 'sluice.flow.v1alpha1.PushFlowsResponse',
} as const;

const FILES = [
  'envoy/service/accesslog/v3/als.proto',
  'sluice/flow/v1alpha1/flow.proto',
];

let cached: protobuf.Root | undefined;

export function flowProtoRoot(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string => {
    for (const dir of [...INCLUDE_DIRS, protobufjsDir]) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync(FILES, { keepCase: true });
  root.resolveAll();
  cached = root;
  return root;
}

export function flowMessage(name: (typeof MESSAGE)[keyof typeof MESSAGE]): protobuf.Type {
  return flowProtoRoot().lookupType(name);
}

/** protobufjs' object form: enums as names, 64-bit integers as numbers, defaults filled in. */
export const OBJECT_FORM: protobuf.IConversionOptions = { enums: String, longs: Number, defaults: true, arrays: true, objects: true, oneofs: true };

/**
 * The collector's lighter form: enums as names, 64-bit integers as numbers, and nothing filled in
 * (absent fields stay absent; the mapping reads every field with a default). About twice as fast
 * to decode as OBJECT_FORM, which is the collector's largest cost.
 */
export const DECODE_FORM: protobuf.IConversionOptions = { enums: String, longs: Number };
