/** Pod UIDs → Pod cgroups, in both kubelet layouts, on a directory tree shaped as the kubelet makes it. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerCgroupsOf, findKubepods, findPodCgroupsElsewhere, ownCgroupPath, podCgroupOfProcess, resolveContainerCgroup, resolvePodCgroup } from './kubepods.js';

const UID = 'a1b2c3d4-0000-1111-2222-333344445555';
const tree = (paths: string[]): string => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-kubepods-'));
  for (const p of paths) mkdirSync(join(root, p), { recursive: true });
  return root;
};
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('kubepods layouts', () => {
  it('systemd: QoS slices and Guaranteed Pods, containers by runtime', () => {
    const u = UID.replace(/-/g, '_');
    const root = tree([
      `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice/cri-containerd-c1.scope`,
      `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice/crio-c2.scope`,
      'kubepods.slice/kubepods-podffff0000_0000_0000_0000_000000000000.slice',
    ]);
    roots.push(root);
    expect(findKubepods(root)).toBe(join(root, 'kubepods.slice'));
    const pod = resolvePodCgroup(root, UID);
    expect(pod).toBe(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice`);
    expect(resolvePodCgroup(root, 'FFFF0000-0000-0000-0000-000000000000')).toBe('/kubepods.slice/kubepods-podffff0000_0000_0000_0000_000000000000.slice');
    expect(resolvePodCgroup(root, '00000000-dead-beef-0000-000000000000')).toBeUndefined();
    expect(resolveContainerCgroup(root, pod ?? '', 'c1')).toBe(`${pod}/cri-containerd-c1.scope`);
    expect(resolveContainerCgroup(root, pod ?? '', 'c2')).toBe(`${pod}/crio-c2.scope`);
    expect(resolveContainerCgroup(root, pod ?? '', 'c3')).toBeUndefined();
    expect(containerCgroupsOf(root, pod ?? '')).toEqual([`${pod}/cri-containerd-c1.scope`, `${pod}/crio-c2.scope`]);
  });

  it('cgroupfs: kubepods/<qos>/pod<uid>, containers by id', () => {
    const root = tree([`kubepods/besteffort/pod${UID}/abcdef`, 'kubepods/podeeee0000-0000-0000-0000-000000000000']);
    roots.push(root);
    expect(findKubepods(root)).toBe(join(root, 'kubepods'));
    expect(resolvePodCgroup(root, UID)).toBe(`/kubepods/besteffort/pod${UID}`);
    expect(resolvePodCgroup(root, 'eeee0000-0000-0000-0000-000000000000')).toBe('/kubepods/podeeee0000-0000-0000-0000-000000000000');
    expect(resolveContainerCgroup(root, `/kubepods/besteffort/pod${UID}`, 'abcdef')).toBe(`/kubepods/besteffort/pod${UID}/abcdef`);
  });

  it("finds a process's Pod from /proc/self/cgroup, and nothing in a private cgroup namespace", () => {
    expect(ownCgroupPath('0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1_2.slice/cri-containerd-x.scope\n')).toBe('/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1_2.slice/cri-containerd-x.scope');
    expect(podCgroupOfProcess('/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1_2.slice/cri-containerd-x.scope')).toBe('/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1_2.slice');
    expect(podCgroupOfProcess('/kubepods/burstable/pod0a-1b/0123abcd')).toBe('/kubepods/burstable/pod0a-1b');
    expect(podCgroupOfProcess('/')).toBeUndefined();
    expect(podCgroupOfProcess('/system.slice/kubelet.service')).toBeUndefined();
    expect(ownCgroupPath('12:cpu:/x\n')).toBeUndefined();
  });

  it('finds Pods where no layout puts them (either UID spelling, three levels at most), in one walk', () => {
    const other = 'b1b2c3d4-0000-1111-2222-333344445555';
    const deep = 'c1b2c3d4-0000-1111-2222-333344445555';
    const root = tree([
      `kubepods.slice/custom.slice/pod-${UID}/ctr`,
      `kubepods.slice/a.slice/b.slice/x_${other.replace(/-/g, '_')}.slice`,
      `kubepods.slice/a.slice/b.slice/c.slice/pod${deep}`,
    ]);
    roots.push(root);
    const found = findPodCgroupsElsewhere(join(root, 'kubepods.slice'), [UID, other, deep]);
    expect(found).toEqual(new Map([
      [UID, join(root, `kubepods.slice/custom.slice/pod-${UID}`)],
      [other, join(root, `kubepods.slice/a.slice/b.slice/x_${other.replace(/-/g, '_')}.slice`)],
    ]));
    expect(findPodCgroupsElsewhere(join(root, 'kubepods.slice'), []).size).toBe(0);
    expect(findPodCgroupsElsewhere(join(root, 'missing'), [UID]).size).toBe(0);
  });
});
