/**
 * The benchmark's proxies: one ADS stream per node, behaving as Envoy does (CDS and LDS wildcard,
 * RDS by name, every response ACKed), over the hand-made messages of bench/xds/wire.ts so that
 * the clients cost little. The RDS names a node asks for are the ones its snapshot holds (read
 * from the server's cache: a shortcut, where Envoy would read them from its listeners).
 */
import * as grpc from '@grpc/grpc-js';
import { TYPE_URL as T } from '../../envoy-api/resource-types.js';
import { readResponse, request } from '../xds/wire.js';

const identity = (b: Buffer): Buffer => b;
const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

export class BenchProxies {
  private readonly calls: { client: grpc.Client; call: grpc.ClientDuplexStream<Buffer, Buffer> }[] = [];
  errors = 0;

  /** Opens one stream per node against the xDS server on `port`; `routes(node)` names the RDS resources to ask for. */
  constructor(port: number, nodes: readonly string[], routes: (node: string) => readonly string[]) {
    for (const node of nodes) {
      const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      const call = client.makeBidiStreamRequest(ADS, identity, identity);
      let asked = '';
      const askRoutes = () => {
        const names = [...routes(node)].sort();
        if (names.join('\n') === asked) return;
        asked = names.join('\n');
        call.write(request(undefined, T.RDS, names, '', ''));
      };
      call.on('data', (buf: Buffer) => {
        const r = readResponse(buf);
        call.write(request(undefined, r.typeUrl, r.typeUrl === T.RDS ? asked.split('\n').filter(Boolean) : [], r.version, r.nonce));
        if (r.typeUrl === T.LDS) askRoutes();
      });
      call.on('error', () => {
        this.errors++;
      });
      call.write(request(node, T.CDS, [], '', ''));
      call.write(request(undefined, T.LDS, [], '', ''));
      this.calls.push({ client, call });
    }
  }

  close(): void {
    for (const { client, call } of this.calls) {
      call.cancel();
      client.close();
    }
  }
}
