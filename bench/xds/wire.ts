/**
 * DiscoveryRequests and DiscoveryResponses by hand, for the benchmarks' ADS clients: what an
 * Envoy sends (version, node, names, type, nonce) and the three fields of a response a client
 * needs to ACK it. Cheap on purpose: the clients must not be what is measured.
 */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
function field(num: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(num << 3) | 2, ...varint(data.length)]), data]);
}
const str = (s: string): Buffer => Buffer.from(s, 'utf8');

/** A DeltaDiscoveryRequest: node (1), type_url (2), resource_names_subscribe (3), response_nonce (6). */
export function deltaRequest(node: string | undefined, typeUrl: string, subscribe: readonly string[], nonce: string): Buffer {
  const parts: Buffer[] = [];
  if (node) parts.push(field(1, Buffer.concat([field(1, str(node)), field(4, Buffer.alloc(0))])));
  parts.push(field(2, str(typeUrl)));
  for (const n of subscribe) parts.push(field(3, str(n)));
  if (nonce) parts.push(field(6, str(nonce)));
  return Buffer.concat(parts);
}

export function request(node: string | undefined, typeUrl: string, names: readonly string[], version: string, nonce: string): Buffer {
  const parts = [field(1, str(version))];
  if (node) parts.push(field(2, Buffer.concat([field(1, str(node)), field(4, Buffer.alloc(0))])));
  for (const n of names) parts.push(field(3, str(n)));
  parts.push(field(4, str(typeUrl)), field(5, str(nonce)));
  return Buffer.concat(parts);
}

/**
 * version_info (1), type_url (4), nonce (5) of a DiscoveryResponse — or system_version_info,
 * type_url, nonce of a DeltaDiscoveryResponse (the same field numbers); skips the resources.
 */
export function readResponse(buf: Buffer): { version: string; typeUrl: string; nonce: string } {
  let pos = 0;
  let version = '';
  let typeUrl = '';
  let nonce = '';
  const readVarint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++] ?? 0;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = readVarint();
    const wire = tag & 7;
    if (wire !== 2) throw new Error(`unexpected wire type ${wire}`);
    const len = readVarint();
    const s = buf.subarray(pos, pos + len);
    pos += len;
    const f = tag >>> 3;
    if (f === 1) version = s.toString('utf8');
    else if (f === 4) typeUrl = s.toString('utf8');
    else if (f === 5) nonce = s.toString('utf8');
  }
  return { version, typeUrl, nonce };
}

