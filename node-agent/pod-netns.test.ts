/**
 * Finding a Pod's network namespace from its processes, on a fake cgroup tree and a fake /proc
 * (real directories and files: the same code reads them): the sidecar's process first, then any
 * container's; a Pod with no process, and one whose processes share the agent's namespace
 * (hostNetwork), have none to steer in, and say which.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPodNetns } from './pod-netns.js';

describe('findPodNetns', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-podns-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const root = join(tmp, 'cgroup');
  const proc = join(tmp, 'proc');
  const pod = '/kubepods.slice/kubepods-pod1.slice';
  const container = (name: string, pids: number[]) => {
    mkdirSync(join(root, pod, name), { recursive: true });
    writeFileSync(join(root, pod, name, 'cgroup.procs'), pids.map((p) => `${p}\n`).join(''));
    return `${pod}/${name}`;
  };
  const processIn = (pid: number, netns: string) => {
    mkdirSync(join(proc, String(pid), 'ns'), { recursive: true });
    writeFileSync(join(proc, String(pid), 'ns', 'net'), netns);
    return statSync(join(proc, String(pid), 'ns', 'net'), { bigint: true }).ino;
  };
  mkdirSync(join(root, pod), { recursive: true });
  const own = processIn(1, 'node');

  it('says there is no process while no container has one', () => {
    const side = container('cri-containerd-side.scope', []);
    const got = findPodNetns(root, pod, side, own, proc);
    expect(got).toEqual({ missing: expect.stringContaining(`no process in its cgroup ${pod}`) });
  });

  it("says a hostNetwork Pod's processes share the node's namespace", () => {
    container('cri-containerd-app.scope', [1]);
    expect(findPodNetns(root, pod, undefined, own, proc)).toEqual({ missing: expect.stringContaining('share the node\'s network namespace (hostNetwork)') });
  });

  it("takes the sidecar's process first, and any container's otherwise; a process that exited is skipped", () => {
    const podIno = processIn(42, 'pod');
    const side = container('cri-containerd-side.scope', [7, 42]); // 7 has exited: no /proc entry
    expect(findPodNetns(root, pod, side, own, proc)).toEqual({ netns: { path: join(proc, '42', 'ns', 'net'), ino: podIno, pid: 42 } });
    container('cri-containerd-side.scope', []);
    container('cri-containerd-app.scope', [1, 42]);
    expect(findPodNetns(root, pod, side, own, proc)).toMatchObject({ netns: { pid: 42 } });
  });

  it("takes the Pod's oldest process when asked (its sandbox's, which lives as long as the namespace), by /proc/<pid>/stat's start time", () => {
    const stat = (pid: number, started: number) => writeFileSync(join(proc, String(pid), 'stat'), `${pid} (odd (name) x) S 1 ${Array.from({ length: 17 }, () => '0').join(' ')} ${started} 0 0\n`);
    processIn(50, 'pod');
    processIn(51, 'pod');
    stat(50, 9000);
    stat(51, 100);
    container('cri-containerd-app.scope', [50]);
    container('cri-containerd-pause.scope', [51]);
    expect(findPodNetns(root, pod, undefined, own, proc)).toMatchObject({ netns: { pid: 50 } });
    expect(findPodNetns(root, pod, undefined, own, proc, true)).toMatchObject({ netns: { pid: 51, path: join(proc, '51', 'ns', 'net') } });
  });
});
