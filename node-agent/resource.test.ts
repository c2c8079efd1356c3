/** A NodeRedirects response checked whole: accepted as entries, or rejected with field paths. */
import { describe, expect, it } from '@jest/globals';
import { encodeMessage, MESSAGES, TYPE_URL, type sluice } from '../envoy-api/index.js';
import { formatDiagnostic } from '../problems/index.js';
import { parseNodeRedirects } from './resource.js';

const any = (json: sluice.redirect.v1alpha1.NodeRedirects, typeUrl: string = TYPE_URL.REDIRECTS) => ({ type_url: typeUrl, value: Buffer.from(encodeMessage(MESSAGES.nodeRedirects, json)) });
const UID = 'a1b2c3d4-0000-1111-2222-333344445555';

describe('parseNodeRedirects', () => {
  it('turns entries into the compiler\'s redirect entries, with how the proxy is reached', () => {
    const { state, problems } = parseNodeRedirects([any({
      host: 'node-a',
      redirects: [
        { proxy: 'node-a', port: 443, proxy_port: 15001, workloads: ['shop/web'], pod_uid: UID, bind_v4: '10.0.0.1', proxy_address: 'NODE' },
        { proxy: 'node-a', direction: 'INBOUND', address: '10.0.0.9', port: 80, proxy_port: 15006, fail_open: true },
      ],
      pod_proxies: [{ pod_uid: UID, container_ids: ['abc'] }],
    })], 'node-a', true);
    expect(problems).toEqual([]);
    expect(state?.entries).toEqual([
      { entry: { node: 'node-a', direction: 'outbound', port: 443, proxyPort: 15001, workloads: ['shop/web'], podUid: UID, bind: { v4: '10.0.0.1' } }, viaNode: true },
      { entry: { node: 'node-a', direction: 'inbound', address: '10.0.0.9', port: 80, proxyPort: 15006, failOpen: true }, viaNode: false },
    ]);
    expect([...(state?.podProxies ?? [])]).toEqual([[UID, ['abc']]]);
    expect(parseNodeRedirects([], 'node-a', false).state?.entries).toEqual([]); // nothing for this host: no rules
  });

  it("takes a node-mode Pod's inbound entry (pod_uid, node_proxy_in_pod, the Pod's port), and rejects the flag without a Pod or on an outbound entry", () => {
    const ok = parseNodeRedirects([any({ host: 'node-a', redirects: [{ proxy: 'node-a', direction: 'INBOUND', address: '10.0.0.9', port: 8080, proxy_port: 15123, pod_uid: UID, node_proxy_in_pod: true }] })], 'node-a', false);
    expect(ok.problems).toEqual([]);
    expect(ok.state?.entries).toEqual([{ entry: { node: 'node-a', direction: 'inbound', address: '10.0.0.9', port: 8080, proxyPort: 15123, failOpen: false, podUid: UID, nodeProxyInPod: true }, viaNode: false }]);
    const bad = parseNodeRedirects([any({ host: 'node-a', redirects: [
      { proxy: 'node-a', direction: 'INBOUND', address: '10.0.0.9', port: 8080, proxy_port: 15123, node_proxy_in_pod: true },
      { proxy: 'node-a', port: 443, proxy_port: 15001, node_proxy_in_pod: true },
    ] })], 'node-a', false);
    expect(bad.state).toBeUndefined();
    expect(bad.problems.map((p) => `${p.path}: ${p.code}`)).toEqual(['redirects[0].node_proxy_in_pod: node-redirects.node-proxy-in-pod', 'redirects[1].node_proxy_in_pod: node-redirects.node-proxy-in-pod']);
  });

  it('rejects the whole response, each problem with its path', () => {
    const { state, problems } = parseNodeRedirects([
      any({ host: 'node-b', redirects: [] }),
      any({ host: 'node-a', redirects: [
        { proxy: '', port: 1, proxy_port: 2 },
        { proxy: 'n', port: 1, proxy_port: 2, pod_uid: 'NOT A UID', proxy_address: 'NODE' },
        { proxy: 'n', direction: 'INBOUND', port: 1, proxy_port: 2 },
        { proxy: 'n', port: 1, proxy_port: 2, cgroup: 'relative/../x' },
      ], pod_proxies: [{ pod_uid: UID, container_ids: ['bad id'] }] }),
      { type_url: TYPE_URL.LDS, value: Buffer.alloc(0) },
    ], 'node-a', false);
    expect(state).toBeUndefined();
    expect(problems.map((p) => formatDiagnostic(p, 'brief'))).toEqual(expect.arrayContaining([
      expect.stringContaining('resources[0].host'),
      expect.stringContaining('resources[2]'),
      expect.stringContaining('redirects[0].proxy'),
      expect.stringContaining('redirects[1].pod_uid'),
      expect.stringContaining('redirects[1].proxy_address: NODE: this agent has no --node-address'),
      expect.stringContaining('redirects[2].address'),
      expect.stringContaining('redirects[3].cgroup'),
      expect.stringContaining('pod_proxies[0].container_ids[0]'),
    ]));
  });
});
