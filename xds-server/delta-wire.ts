/**
 * The Delta (incremental) xDS wire format, by hand, like wire.ts: `DeltaDiscoveryRequest` decoded
 * field by field with bounds checks; `DeltaDiscoveryResponse` bodies encoded once per resource
 * change set and shared by every stream that is sent it (each appends only its nonce, field 5).
 * Each `Resource` wrapper (name, version, `Any`) is encoded once per resource version.
 */
import { checkWire, encodeAny, encodeFields, encodeResponseFields, LEN, lenDelimited, readFields, readNode, readStatus, str, WireError, type ErrorDetail, type NodeInfo, type ResponseBody } from './proto-wire.js';

/** A decoded `envoy.service.discovery.v3.DeltaDiscoveryRequest` (xDS-TP locators are not served). */
export interface DeltaDiscoveryRequest {
  readonly node: NodeInfo | undefined;
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  /** name → version the client already holds (first request of a type on a stream). */
  readonly initialVersions: ReadonlyMap<string, string>;
  readonly responseNonce: string;
  readonly errorDetail: ErrorDetail | undefined;
}

function readMapEntry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  readFields(bytes, 'initial_resource_versions: ', (r, field, wire) => {
    if (field !== 1 && field !== 2) return false;
    checkWire(field, wire, LEN, 'initial_resource_versions entry');
    if (field === 1) key = str(r);
    else value = str(r);
    return true;
  });
  return [key, value];
}

/** What a request without `initial_resource_versions` (every one but a reconnect's first) says the client holds: one shared empty map. */
const NO_VERSIONS: ReadonlyMap<string, string> = new Map();

/** Decodes a DeltaDiscoveryRequest; `maxNames` caps the names it carries in all (subscribe, unsubscribe, initial versions). */
export function decodeDeltaRequest(bytes: Uint8Array, maxNames: number): DeltaDiscoveryRequest {
  let node: NodeInfo | undefined;
  let typeUrl = '';
  const subscribe: string[] = [];
  const unsubscribe: string[] = [];
  let initialVersions: Map<string, string> | undefined;
  let responseNonce = '';
  let errorDetail: ErrorDetail | undefined;
  let names = 0;
  const count = (): void => {
    if (++names > maxNames) throw new WireError(`resource names: more than ${maxNames} names in one request`);
  };
  readFields(bytes, '', (r, field, wire) => {
    switch (field) {
      case 1:
        checkWire(field, wire, LEN, 'node');
        node = readNode(lenDelimited(r));
        return true;
      case 2:
        checkWire(field, wire, LEN, 'type_url');
        typeUrl = str(r);
        return true;
      case 3:
        checkWire(field, wire, LEN, 'resource_names_subscribe');
        count();
        subscribe.push(str(r));
        return true;
      case 4:
        checkWire(field, wire, LEN, 'resource_names_unsubscribe');
        count();
        unsubscribe.push(str(r));
        return true;
      case 5: {
        checkWire(field, wire, LEN, 'initial_resource_versions');
        count();
        const [k, v] = readMapEntry(lenDelimited(r));
        (initialVersions ??= new Map()).set(k, v);
        return true;
      }
      case 6:
        checkWire(field, wire, LEN, 'response_nonce');
        responseNonce = str(r);
        return true;
      case 7:
        checkWire(field, wire, LEN, 'error_detail');
        errorDetail = readStatus(lenDelimited(r));
        return true;
      default:
        return false;
    }
  });
  return { node, typeUrl, subscribe, unsubscribe, initialVersions: initialVersions ?? NO_VERSIONS, responseNonce, errorDetail };
}

/** What a Delta response body carries. */
export interface DeltaEntry {
  readonly name: string;
  readonly version: string;
  readonly body: Uint8Array;
}

const wrappers = new WeakMap<DeltaEntry, Buffer>();

/** `envoy.service.discovery.v3.Resource`: version (1), resource (2, `Any`), name (3); memoized per entry object. */
function resourceWrapper(url: Buffer, e: DeltaEntry): Buffer {
  let w = wrappers.get(e);
  if (!w) {
    w = encodeFields([
      [1, Buffer.from(e.version, 'utf8')],
      [2, encodeAny(url, e.body)],
      [3, Buffer.from(e.name, 'utf8')],
    ]);
    wrappers.set(e, w);
  }
  return w;
}

/**
 * Encodes DeltaDiscoveryResponse fields 1 (`system_version_info`), 2 (`resources`), 4
 * (`type_url`) and 6 (`removed_resources`), with room for the frame and for field 5, the nonce,
 * which `frameWithNonce` writes (bodies.ts).
 */
export function encodeDeltaBody(typeUrl: string, systemVersion: string, resources: readonly DeltaEntry[], removed: readonly string[]): ResponseBody {
  const url = Buffer.from(typeUrl, 'utf8');
  const fields: [number, Uint8Array][] = [[1, Buffer.from(systemVersion, 'utf8')]];
  for (const r of resources) fields.push([2, resourceWrapper(url, r)]);
  fields.push([4, url]);
  for (const n of removed) fields.push([6, Buffer.from(n, 'utf8')]);
  return encodeResponseFields(fields);
}
