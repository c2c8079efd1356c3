/** `sluice bootstrap --tls-cert --tls-key --ca`: the xDS cluster speaks mutual TLS with the files named (real Envoy boots from it in test/e2e/envoy-xds-mtls.test.ts). */
import { expect, it } from '@jest/globals';
import { runCli } from '../support/run-cli.js';

it('adds an UpstreamTlsContext with the node\'s certificate, key and CA as files, ALPN h2', async () => {
  const r = await runCli(['bootstrap', '--node', 'node-a', '--tls-cert', '/etc/sluice/node-a.crt', '--tls-key', '/etc/sluice/node-a.key', '--ca', '/etc/sluice/ca.crt', '-o', 'json']);
  expect(r.code).toBe(0);
  const cluster = (JSON.parse(r.stdout) as { static_resources: { clusters: { transport_socket?: { typed_config: Record<string, unknown> } }[] } }).static_resources.clusters[0];
  expect(cluster?.transport_socket?.typed_config).toEqual({
    '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
    common_tls_context: {
      tls_certificates: [{ certificate_chain: { filename: '/etc/sluice/node-a.crt' }, private_key: { filename: '/etc/sluice/node-a.key' } }],
      validation_context: { trusted_ca: { filename: '/etc/sluice/ca.crt' } },
      alpn_protocols: ['h2'],
    },
  });
});

it('refuses some of the three flags without the others', async () => {
  const r = await runCli(['bootstrap', '--node', 'node-a', '--tls-cert', 'a.crt']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--tls-cert, --tls-key and --ca go together');
});
