/**
 * A real kube-apiserver for the controller's tests: the L7Policy CRD installed and Established,
 * namespaces, and the kubelet's and endpoint controller's parts played by hand (a Pod's
 * `status.podIP(s)` and `phase` written through the status subresource, EndpointSlices created).
 * Controllers started here are in-process, with their clients on the API server's admin token.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parse } from 'yaml';
import { ADMIN_TOKEN, ApiServer } from '../../../bench/k8s/apiserver.js';
import { kubeApi, type KubeApi } from '../../../k8s/admission/index.js';
import { kubeConfigFrom, startController, type Controller, type ControllerOptions, type L7PolicyStatus } from '../../../k8s/controller/index.js';
import { silentLogger } from '../../../telemetry/index.js';
import { eventually } from '../../support/poll.js';
import type { Link } from './link.js';

export const POLICY_API = '/apis/sluice.dev/v1alpha1';

export interface PodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ip: string;
  readonly node?: string;
  readonly ports?: readonly number[];
  readonly annotations?: Record<string, string>;
  readonly hostNetwork?: boolean;
}

export class ControllerBed {
  private constructor(readonly api: ApiServer, readonly admin: KubeApi) {}

  static async start(namespaces: readonly string[] = ['shop'], options: { readonly extraArgs?: readonly string[] } = {}): Promise<ControllerBed> {
    const api = await ApiServer.start(options);
    try {
      const admin = kubeApi({ server: api.url, ca: Buffer.from(api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN });
      const bed = new ControllerBed(api, admin);
      await bed.must('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', parse(fs.readFileSync('deploy/crds/l7policy.yaml', 'utf8')));
      await eventually(async () => (await admin.request('GET', `${POLICY_API}/l7policies`)).status === 200, 'the L7Policy CRD to be served', 30_000);
      for (const ns of [...namespaces, 'sluice-system']) await bed.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      return bed;
    } catch (error) {
      await api.stop();
      throw error;
    }
  }

  /** A request that must succeed (2xx); its parsed body. */
  async must(method: string, path: string, body?: unknown, contentType?: string): Promise<Record<string, unknown>> {
    const r = await this.admin.request(method, path, body, contentType);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 1000)}`);
    return JSON.parse(r.body) as Record<string, unknown>;
  }

  /** Creates a Pod scheduled on `node` and plays the kubelet: Running, with its address. */
  async pod(p: PodSpec): Promise<void> {
    await this.must('POST', `/api/v1/namespaces/${p.namespace}/pods`, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: p.name, labels: p.labels, ...(p.annotations ? { annotations: p.annotations } : {}) },
      spec: {
        ...(p.node ? { nodeName: p.node } : {}),
        ...(p.hostNetwork ? { hostNetwork: true } : {}),
        containers: [{ name: 'app', image: 'app:1', ports: (p.ports ?? [8080]).map((containerPort) => ({ containerPort, protocol: 'TCP' })) }],
      },
    });
    await this.podStatus(p.namespace, p.name, p.ip);
  }

  /** The kubelet's report: phase Running and the Pod's address, through the status subresource. */
  async podStatus(namespace: string, name: string, ip: string, phase = 'Running'): Promise<void> {
    await this.must('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}/status`, { status: { phase, podIP: ip, podIPs: [{ ip }], hostIP: '192.168.0.1', hostIPs: [{ ip: '192.168.0.1' }] } }, 'application/merge-patch+json');
  }

  async applyPolicy(namespace: string, name: string, spec: unknown): Promise<Record<string, unknown>> {
    const path = `${POLICY_API}/namespaces/${namespace}/l7policies`;
    const existing = await this.admin.request('GET', `${path}/${name}`);
    if (existing.status === 404) return this.must('POST', path, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name }, spec });
    return this.must('PATCH', `${path}/${name}`, { spec }, 'application/merge-patch+json');
  }

  async policy(namespace: string, name: string): Promise<{ metadata: { generation: number; resourceVersion: string }; status?: L7PolicyStatus }> {
    return (await this.must('GET', `${POLICY_API}/namespaces/${namespace}/l7policies/${name}`)) as unknown as { metadata: { generation: number; resourceVersion: string }; status?: L7PolicyStatus };
  }

  /** A controller replica in-process, on loopback, talking to this API server (through `link`, when given, which the test can break). */
  async controller(options: Partial<ControllerOptions> & { identity: string; link?: Link }): Promise<Controller> {
    const { link, ...rest } = options;
    const server = link?.url ?? this.api.url;
    const text = fs.readFileSync(this.api.kubeconfig, 'utf8').replace(this.api.url, server);
    return startController({
      api: link ? kubeApi({ server, ca: Buffer.from(this.api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN, timeoutMs: 3000 }) : this.admin,
      kubeconfig: kubeConfigFrom({ kind: 'text', text }),
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
      namespace: 'sluice-system',
      debounceMs: 20,
      maxDelayMs: 200,
      probeMs: 500,
      // These beds run no node agent: the tests play an external steering (node-agent.test.ts runs one).
      nodeAgents: false,
      status: { perPolicyMs: 100, qps: 50, burst: 50 },
      ...rest,
    });
  }

  /** Where the API server listens (for a Link). */
  get target(): { host: string; port: number } {
    const u = new URL(this.api.url);
    return { host: u.hostname, port: Number(u.port) };
  }

  /**
   * Registers a replica's admin address as an endpoint of the controller's Service (the leader
   * reads its proxies there). EndpointSlices refuse loopback addresses, so replicas that others
   * read listen on this host's own non-loopback address (`localAddress`): nothing leaves the host.
   */
  async replicaEndpoint(name: string, address: string, adminPort: number): Promise<void> {
    await this.must('POST', '/apis/discovery.k8s.io/v1/namespaces/sluice-system/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name, labels: { 'kubernetes.io/service-name': 'sluice-controller' } },
      addressType: 'IPv4',
      ports: [{ name: 'admin', port: adminPort, protocol: 'TCP' }],
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
    });
  }

  stop(): Promise<void> {
    return this.api.stop();
  }
}

/** This host's first non-loopback IPv4 address. */
export function localAddress(): string {
  const found = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
  if (!found) throw new Error('this host has no non-loopback IPv4 address');
  return found.address;
}

/** The condition of `type` in a status. */
export function condition(status: L7PolicyStatus | undefined, type: 'Accepted' | 'Enforced' | 'Rejected'): { status: string; reason: string; message: string; observedGeneration: number } | undefined {
  return status?.conditions.find((c) => c.type === type);
}
