/**
 * The persisted last good state: it round-trips, a runtime restored from it serves byte-identical
 * versions, it is written atomically and only when it changed, and a corrupt, foreign or tampered
 * file is a reported problem, never a crash.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, afterAll } from '@jest/globals';
import { decodeState, encodeState, restoreState, STATE_FILE, STATE_FORMAT } from '../../controller/index.js';
import { StateStore } from '../../controller/state-store.js';
import { silentLogger } from '../../telemetry/index.js';
import { harness, INVENTORY, policy, policyText } from './fixtures.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-state-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const READERS = policy('readers', '{ http: [ { method: GET } ] }');
const BOTH = { name: 'both.yaml', text: `${policyText('writers', '{ http: [ { method: POST } ] }')}---\n${policyText('lookers', '{ http: [ { method: HEAD } ] }')}` };

function served() {
  const h = harness();
  h.apply(INVENTORY, READERS, BOTH);
  return h;
}

describe('the last good state', () => {
  it('round-trips through its encoding, deterministically, with each text stored once', () => {
    const state = served().runtime.lastGoodState();
    const text = encodeState(state);
    expect(encodeState(state)).toBe(text);
    const decoded = decodeState(text);
    expect(decoded).toEqual({ ok: true, state: { policies: expect.any(Array), inventory: state.inventory } });
    if (!decoded.ok) return;
    expect([...decoded.state.policies].sort((a, b) => a.key.localeCompare(b.key))).toEqual([...state.policies].sort((a, b) => a.key.localeCompare(b.key)));
    const parsed = JSON.parse(text) as { format: string; version: number; texts: Record<string, string> };
    expect(parsed).toMatchObject({ format: STATE_FORMAT, version: 1 });
    expect(Object.keys(parsed.texts)).toHaveLength(3);
    expect(text).not.toMatch(/generation|savedAt|"at"/);
  });

  it('restores into a new runtime that serves the same versions, even when a file is now broken', () => {
    const first = served();
    const restored = restoreState(first.runtime.lastGoodState(), 'state.json');
    expect(restored.diagnostics).toEqual([]);
    expect([...restored.policies.keys()].sort()).toEqual(['shop/lookers', 'shop/readers', 'shop/writers']);
    const second = harness();
    second.runtime.restore(restored);
    second.apply(INVENTORY, { name: 'readers.yaml', text: READERS.text.slice(0, 40) }, { name: 'both.yaml', text: '' });
    expect(second.entry('shop/readers')?.source).toBe('stale');
    expect(second.entry('shop/writers')?.source).toBe('stale');
    expect(second.versions()).toEqual(first.versions());
  });

  it('serves a restored inventory when the inventory is broken at start', () => {
    const first = served();
    const second = harness();
    second.runtime.restore(restoreState(first.runtime.lastGoodState(), 'state.json'));
    const r = second.apply({ name: INVENTORY.name, text: 'kind: [' }, READERS, BOTH);
    expect(r.published).toBe(true);
    expect(second.runtime.state().inventory.source).toBe('stale');
    expect(second.versions()).toEqual(first.versions());
  });

  it('drops, with a warning, an entry whose text no longer yields that policy', () => {
    const state = served().runtime.lastGoodState();
    const edited = { ...state, policies: state.policies.map((p) => (p.key === 'shop/readers' ? { ...p, text: p.text.replace('GET', 'get') } : p)) };
    const restored = restoreState(edited, 'state.json');
    expect(restored.policies.has('shop/readers')).toBe(false);
    expect(restored.policies.has('shop/writers')).toBe(true);
    expect(restored.diagnostics).toEqual([expect.objectContaining({ code: 'state.entry-invalid', file: 'state.json', message: expect.stringContaining('policy shop/readers (readers.yaml, document 1) no longer validates') })]);
  });

  it.each([
    ['not JSON', '{"format": "sluice/last-good-state", "vers', /not JSON .*corrupt/],
    ['a foreign file', '{"apiVersion": "v1", "kind": "ConfigMap"}', /not a sluice state file/],
    ['a newer format', JSON.stringify({ format: STATE_FORMAT, version: 2, policies: [], texts: {} }), /version 2; this sluice reads version 1/],
    ['a list of policies that is not one', JSON.stringify({ format: STATE_FORMAT, version: 1, policies: {}, texts: {} }), /policies: expected a list/],
    ['a reference to a missing text', JSON.stringify({ format: STATE_FORMAT, version: 1, policies: [{ key: 'a/b', file: 'f', document: 0, text: 'sha256:00' }], texts: {} }), /text sha256:00 is missing/],
  ])('rejects %s', (_what, text, problem) => {
    const decoded = decodeState(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.problem).toMatch(problem);
  });

  it('rejects a text that does not match its hash', () => {
    const text = encodeState(served().runtime.lastGoodState()).replace('method: POST', 'method: PUT');
    expect(decodeState(text)).toEqual({ ok: false, problem: expect.stringMatching(/does not match its hash: the file is corrupt/) });
  });
});

describe('the state store', () => {
  it('writes atomically, leaves no temporary file, and rewrites only what changed', () => {
    const dir = path.join(tmp, 'store', 'nested');
    const store = new StateStore(dir, silentLogger);
    const { runtime } = served();
    expect(store.load()).toEqual({});
    expect(store.save(runtime.lastGoodState())).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE]);
    expect(fs.statSync(path.join(dir, STATE_FILE)).mode & 0o777).toBe(0o600);
    const inode = fs.statSync(path.join(dir, STATE_FILE)).ino;
    store.save(runtime.lastGoodState());
    expect(fs.statSync(path.join(dir, STATE_FILE)).ino).toBe(inode);
    const reopened = new StateStore(dir, silentLogger);
    expect(encodeState(reopened.load().state ?? { policies: [] })).toBe(encodeState(runtime.lastGoodState()));
    reopened.save({ policies: [] });
    expect(fs.statSync(path.join(dir, STATE_FILE)).ino).not.toBe(inode);
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE]);
  });

  it('removes what a write interrupted by a crash left behind, and keeps the whole state', () => {
    const dir = path.join(tmp, 'crashed');
    const store = new StateStore(dir, silentLogger);
    store.save(served().runtime.lastGoodState());
    fs.writeFileSync(path.join(dir, `${STATE_FILE}.4242.tmp`), '{"format": "sluice/last-');
    expect(new StateStore(dir, silentLogger).load().state?.policies).toHaveLength(3);
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE]);
  });

  it('reports a corrupt state file and reads on', () => {
    const dir = path.join(tmp, 'corrupt');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, STATE_FILE), '\0\0garbage');
    const loaded = new StateStore(dir, silentLogger).load();
    expect(loaded.state).toBeUndefined();
    expect(loaded.problem).toMatchObject({ severity: 'error', code: 'state.corrupt', file: path.join(dir, STATE_FILE), message: expect.stringMatching(/\(kept as last-good\.json\.corrupt\); the state file is ignored$/) });
    expect(fs.readFileSync(path.join(dir, `${STATE_FILE}.corrupt`), 'utf8')).toBe('\0\0garbage');
  });

  it('returns the error when the directory cannot be written', () => {
    const blocker = path.join(tmp, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    const error = new StateStore(path.join(blocker, 'state'), silentLogger).save({ policies: [] });
    expect(error?.message).toMatch(/ENOTDIR|EEXIST/);
  });
});
