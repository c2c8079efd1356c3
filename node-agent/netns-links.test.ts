/**
 * The agent's links to Pods' network namespaces, against the real kernel: a namespace made with
 * `ip netns add` and a process inside it play a node-mode Pod. Needs root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it, expect, beforeAll, afterAll } from '@jest/globals';
import { describeKernel } from '../test/bpf/kernel.js';
import { netnsLinkName } from '../policy-compiler/index.js';
import { syncNetnsLinks } from './netns-links.js';
import type { PodNetns } from './pod-netns.js';

const NS = `i13f-links-${process.pid}`;
const UID_A = '11111111-2222-3333-4444-555555555555';
const UID_B = '66666666-7777-8888-9999-000000000000';

const netnsOf = (pid: number): PodNetns => {
  const p = `/proc/${pid}/ns/net`;
  return { path: p, ino: statSync(p, { bigint: true }).ino, pid };
};

describeKernel('netns links of node-mode Pods', () => {
  let holder: ChildProcess;
  let dir: string;

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', NS]);
    holder = spawn('ip', ['netns', 'exec', NS, 'sleep', '120'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && execFileSync('ip', ['netns', 'pids', NS], { encoding: 'utf8' }).trim() === ''; i++) await new Promise((r) => setTimeout(r, 20));
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'i13f-links-')), 'netns');
  });
  afterAll(() => {
    holder?.kill();
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  const podPid = (): number => Number(execFileSync('ip', ['netns', 'pids', NS], { encoding: 'utf8' }).trim().split('\n')[0]);

  const linkOf = (uid: string, netns: PodNetns): string => path.join(dir, netnsLinkName(uid, netns.ino));

  it("links a Pod's UID and namespace inode to its process's namespace: the link resolves to the Pod's namespace, not the node's", () => {
    const pod = netnsOf(podPid());
    const r = syncNetnsLinks(dir, new Map([[UID_A, pod]]));
    expect(r).toEqual({ linked: [{ uid: UID_A, name: `${UID_A}.${pod.ino}` }], removed: [], stale: [] });
    expect(readlinkSync(linkOf(UID_A, pod))).toBe(pod.path);
    expect(statSync(linkOf(UID_A, pod), { bigint: true }).ino).toBe(statSync(`/run/netns/${NS}`, { bigint: true }).ino);
    expect(statSync(linkOf(UID_A, pod), { bigint: true }).ino).not.toBe(statSync('/proc/self/ns/net', { bigint: true }).ino);
  });

  it("replaces a Pod's link when its namespace changes (a recreated sandbox): a new name, the old one removed", () => {
    const pod = netnsOf(podPid());
    const other: PodNetns = { path: `/proc/${process.pid}/ns/net`, ino: statSync('/proc/self/ns/net', { bigint: true }).ino, pid: process.pid };
    const r = syncNetnsLinks(dir, new Map([[UID_A, other]]));
    expect(r).toEqual({ linked: [{ uid: UID_A, name: `${UID_A}.${other.ino}` }], removed: [`${UID_A}.${pod.ino}`], stale: [] });
    expect(existsSync(linkOf(UID_A, pod))).toBe(false);
    expect(syncNetnsLinks(dir, new Map([[UID_A, pod]])).removed).toEqual([`${UID_A}.${other.ino}`]);
  });

  it('a link that resolves to another namespace (its PID reused by a process of the node) is said stale, not linked', () => {
    // The Pod's namespace as last found, but its PID now names a process of the node's namespace.
    const found = netnsOf(podPid());
    const reused: PodNetns = { path: `/proc/${process.pid}/ns/net`, ino: found.ino, pid: process.pid };
    const r = syncNetnsLinks(dir, new Map([[UID_A, reused]]));
    expect(r.linked).toEqual([]);
    expect(r.stale).toEqual([{ uid: UID_A, message: expect.stringMatching(/resolves to network namespace \d+, not the Pod's \d+ \(PID \d+ reused\)/) }]);
    // The next poll finds a process of the Pod again and re-points the link.
    expect(syncNetnsLinks(dir, new Map([[UID_A, netnsOf(podPid())]])).linked.map((l) => l.uid)).toEqual([UID_A]);
  });

  it("leaves a live link of a Pod it never linked (another agent's), and removes one that no longer resolves", () => {
    const pod = netnsOf(podPid());
    const dead = path.join(dir, `${UID_B}.99`);
    symlinkSync('/proc/999999999/ns/net', dead);
    const r = syncNetnsLinks(dir, new Map());
    expect(r.removed).toEqual([`${UID_B}.99`]);
    expect(existsSync(linkOf(UID_A, pod))).toBe(true);
  });

  it("removes the links of Pods that are gone, and touches nothing that is not a Pod's link", () => {
    const pod = netnsOf(podPid());
    writeFileSync(path.join(dir, 'README'), 'not ours');
    writeFileSync(path.join(dir, UID_B), 'a bare UID is no link name');
    mkdirSync(path.join(dir, `${UID_B}.12`), { recursive: true }); // a directory, not a link
    const r = syncNetnsLinks(dir, new Map(), new Set([UID_A]));
    expect(r.removed).toEqual([`${UID_A}.${pod.ino}`]);
    expect(existsSync(linkOf(UID_A, pod))).toBe(false);
    expect(existsSync(path.join(dir, 'README'))).toBe(true);
    expect(existsSync(path.join(dir, UID_B))).toBe(true);
    expect(lstatSync(path.join(dir, `${UID_B}.12`)).isDirectory()).toBe(true);
  });

  it('refuses a name that is no Pod UID (a path component)', () => {
    expect(() => syncNetnsLinks(dir, new Map([['../etc', netnsOf(process.pid)]]))).toThrow(/not a Pod UID/);
  });
});
