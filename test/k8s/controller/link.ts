/**
 * A TCP link between one controller replica and the API server, which the test can break: `cut()`
 * ends every open connection (watches break; the API server itself is untouched, so other
 * replicas are not affected), `down()` also refuses new ones (this replica has lost the API
 * server), `up()` lets them through again. TLS passes through unchanged.
 */
import net from 'node:net';

export class Link {
  private readonly sockets = new Set<net.Socket>();
  private refusing = false;

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async open(target: { host: string; port: number }): Promise<Link> {
    const server = net.createServer();
    const link = await new Promise<Link>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(new Link(server, (server.address() as net.AddressInfo).port)));
    });
    server.on('connection', (client) => {
      if (link.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect(target.port, target.host);
      for (const s of [client, upstream]) {
        link.sockets.add(s);
        s.on('close', () => link.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    return link;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Ends every connection now. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  down(): void {
    this.refusing = true;
    this.cut();
  }

  up(): void {
    this.refusing = false;
  }

  close(): Promise<void> {
    this.down();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
