/**
 * Last good per file, not per readable name: whatever breaks a file (syntax, an unreadable name,
 * emptying it, a read error) keeps every policy it last produced in force; only a deletion, or a
 * document removed from a file that otherwise validates, removes a policy.
 */
import { describe, it, expect } from '@jest/globals';
import type { Diagnostic, SourceFile } from '../../policy-compiler/index.js';
import { harness, INVENTORY, policy, policyText, recordingLogger } from './fixtures.js';

const READERS = policy('readers', '{ http: [ { method: GET } ] }');
const READERS_RULE = 'shop/readers#spec.ingress[0].toPorts[0].rules.http[0]';
const WRITERS_RULE = 'shop/writers#spec.ingress[0].toPorts[0].rules.http[0]';
const file = (name: string, text: string): SourceFile => ({ name, text });
const codes = (ds: readonly Diagnostic[] | undefined) => (ds ?? []).map((d) => d.code);

describe('a broken file keeps what it last produced', () => {
  it('keeps a policy through a YAML syntax error, and takes the fixed version', () => {
    const { apply, inbound, entry, versions } = harness();
    apply(INVENTORY, READERS);
    const good = versions();
    apply(INVENTORY, file('readers.yaml', READERS.text.replace('{ method: GET }', '{ method: GET, headers: [ { name: x, exact: y }')));
    expect(entry('shop/readers')).toMatchObject({ source: 'stale', file: 'readers.yaml' });
    expect(codes(entry('shop/readers')?.diagnostics)).toContain('yaml.syntax');
    expect(versions()).toEqual(good);
    apply(INVENTORY, policy('readers', '{ http: [ { method: POST } ] }'));
    expect(entry('shop/readers')?.source).toBe('current');
    expect(inbound()).toContain('POST');
  });

  it('keeps a policy whose name can no longer be read (nmae:)', () => {
    const { apply, inbound, entry, runtime } = harness();
    apply(INVENTORY, READERS);
    const good = inbound();
    apply(INVENTORY, file('readers.yaml', READERS.text.replace('metadata: { name: readers', 'metadata: { nmae: readers')));
    expect(entry('shop/readers')).toMatchObject({ source: 'stale', file: 'readers.yaml' });
    expect(entry('shop/readers')?.diagnostics.some((d) => d.severity === 'error' && d.file === 'readers.yaml')).toBe(true);
    expect(inbound()).toBe(good);
    expect(runtime.state().policies.size).toBe(1);
  });

  it('keeps the policies of an emptied file, and removes them when the file is deleted', () => {
    const { logger, records } = recordingLogger();
    const { apply, inbound, entry } = harness({ logger });
    apply(INVENTORY, READERS);
    apply(INVENTORY, file('readers.yaml', ''));
    expect(entry('shop/readers')?.source).toBe('stale');
    expect(codes(entry('shop/readers')?.diagnostics)).toEqual(['source.empty']);
    expect(inbound()).toContain(READERS_RULE);
    apply(INVENTORY, file('readers.yaml', '# nothing but a comment\n---\n'));
    expect(entry('shop/readers')?.source).toBe('stale');
    apply(INVENTORY);
    expect(entry('shop/readers')).toBeUndefined();
    expect(inbound()).not.toContain('shop/readers');
    expect(records).toContainEqual(expect.objectContaining({ level: 'info', msg: 'policy removed', policy: 'shop/readers', file: 'readers.yaml', reason: 'file deleted' }));
  });

  it('keeps the policies of a file, or of a directory, that cannot be read', () => {
    const { apply, applyRead, entry, inbound } = harness();
    apply(INVENTORY, file('dir/readers.yaml', READERS.text));
    const unreadable = (f: string): Diagnostic => ({ severity: 'error', code: 'source.unreadable', file: f, path: '', message: 'permission denied' });
    applyRead([INVENTORY], [unreadable('dir/readers.yaml')]);
    expect(entry('shop/readers')).toMatchObject({ source: 'stale', diagnostics: [unreadable('dir/readers.yaml')] });
    applyRead([INVENTORY], [unreadable('dir')]);
    expect(entry('shop/readers')?.source).toBe('stale');
    expect(inbound()).toContain(READERS_RULE);
    // A sibling whose name merely starts the same is no cover.
    applyRead([INVENTORY], [unreadable('di')]);
    expect(entry('shop/readers')).toBeUndefined();
  });

  it('keeps the broken document of a file and takes the good one beside it', () => {
    const { apply, inbound, entry } = harness();
    const two = (writers: string, readers: string) => file('both.yaml', `${policyText('writers', writers)}---\n${policyText('readers', readers)}`);
    apply(INVENTORY, two('{ http: [ { method: POST } ] }', '{ http: [ { method: GET } ] }'));
    apply(INVENTORY, two('{ http: [ { method: PUT } ] }', '[ broken'));
    expect(entry('shop/writers')).toMatchObject({ source: 'current', document: 0 });
    expect(entry('shop/readers')).toMatchObject({ source: 'stale', file: 'both.yaml' });
    expect(inbound()).toContain('PUT');
    expect(inbound()).toContain(READERS_RULE);
  });
});

describe('only a deliberate removal removes', () => {
  it('removes a document taken out of a file that otherwise validates', () => {
    const { logger, records } = recordingLogger();
    const { apply, inbound, entry } = harness({ logger });
    apply(INVENTORY, file('both.yaml', `${policyText('writers', '{ http: [ { method: POST } ] }')}---\n${READERS.text}`));
    expect(inbound()).toContain(WRITERS_RULE);
    apply(INVENTORY, file('both.yaml', READERS.text));
    expect(entry('shop/writers')).toBeUndefined();
    expect(entry('shop/readers')).toMatchObject({ source: 'current', document: 0 });
    expect(inbound()).not.toContain('shop/writers');
    expect(records).toContainEqual(expect.objectContaining({ level: 'info', msg: 'policy removed', policy: 'shop/writers', reason: 'no longer in its file' }));
  });

  it('treats a rename of metadata.name in a valid file as removing the old name and adding the new', () => {
    const { apply, inbound, entry } = harness();
    apply(INVENTORY, READERS);
    apply(INVENTORY, file('readers.yaml', policyText('lookers', '{ http: [ { method: GET } ] }')));
    expect(entry('shop/readers')).toBeUndefined();
    expect(entry('shop/lookers')?.source).toBe('current');
    expect(inbound()).toContain('shop/lookers#');
    expect(inbound()).not.toContain('shop/readers#');
  });

  it('keeps the old name of a rename in a file that is broken elsewhere', () => {
    const { apply, entry } = harness();
    apply(INVENTORY, READERS);
    apply(INVENTORY, file('readers.yaml', `${policyText('lookers', '{ http: [ { method: GET } ] }')}---\n[ broken`));
    expect(entry('shop/lookers')?.source).toBe('current');
    expect(entry('shop/readers')?.source).toBe('stale');
  });

  it('leaves a policy defined in two files with the file that holds the version in force', () => {
    const { apply, entry, runtime } = harness();
    const inB = policy('readers', '{ http: [ { method: GET } ] }', 'b.yaml');
    const inA = policy('readers', '{ http: [ { method: DELETE } ] }', 'a.yaml');
    apply(INVENTORY, inB);
    apply(INVENTORY, inA, inB);
    expect(entry('shop/readers')).toMatchObject({ source: 'current', file: 'b.yaml' });
    const duplicate = runtime.state().sourceDiagnostics.find((d) => d.code === 'policy.duplicate');
    expect(duplicate).toMatchObject({ file: 'a.yaml', message: 'policy shop/readers is already defined in b.yaml' });
    apply(INVENTORY, inA);
    expect(entry('shop/readers')).toMatchObject({ source: 'current', file: 'a.yaml' });
  });

  it('names every newcomer of a key defined in three files, in load order, and keeps the first file when none held it', () => {
    const { apply, entry, runtime } = harness();
    const inA = policy('readers', '{ http: [ { method: GET } ] }', 'a.yaml');
    const inB = policy('readers', '{ http: [ { method: PUT } ] }', 'b.yaml');
    const inC = policy('readers', '{ http: [ { method: DELETE } ] }', 'c.yaml');
    const writers = policy('writers', '{ http: [ { method: POST } ] }', 'w1.yaml');
    const writersAgain = policy('writers', '{ http: [ { method: PATCH } ] }', 'w2.yaml');
    apply(INVENTORY, inA, writers, inB, writersAgain, inC);
    expect(entry('shop/readers')).toMatchObject({ source: 'current', file: 'a.yaml' });
    expect(entry('shop/writers')).toMatchObject({ source: 'current', file: 'w1.yaml' });
    const duplicates = runtime.state().sourceDiagnostics.filter((d) => d.code === 'policy.duplicate');
    expect(duplicates.map((d) => [d.file, d.message])).toEqual([
      ['b.yaml', 'policy shop/readers is already defined in a.yaml'],
      ['c.yaml', 'policy shop/readers is already defined in a.yaml'],
      ['w2.yaml', 'policy shop/writers is already defined in w1.yaml'],
    ]);
    // The file in force keeps the key when another file comes first in load order.
    apply(INVENTORY, inC, inA, inB);
    expect(entry('shop/readers')).toMatchObject({ source: 'current', file: 'a.yaml' });
    expect(runtime.state().sourceDiagnostics.filter((d) => d.code === 'policy.duplicate').map((d) => d.file)).toEqual(['c.yaml', 'b.yaml']);
  });

  it('lets a valid definition elsewhere win over the stale one of a broken file', () => {
    const { apply, entry } = harness();
    apply(INVENTORY, policy('readers', '{ http: [ { method: GET } ] }', 'a.yaml'));
    apply(INVENTORY, file('a.yaml', ''), policy('readers', '{ http: [ { method: PUT } ] }', 'b.yaml'));
    expect(entry('shop/readers')).toMatchObject({ source: 'current', file: 'b.yaml' });
  });
});

describe('the inventory', () => {
  it('keeps the last good inventory through a syntax error and a deletion of its file', () => {
    const { apply, runtime, versions } = harness();
    apply(INVENTORY, READERS);
    const good = versions();
    apply(file('inventory.yaml', INVENTORY.text.replace('workloads:', 'workloads: [')), READERS);
    expect(runtime.state().inventory).toMatchObject({ source: 'stale', file: 'inventory.yaml' });
    expect(versions()).toEqual(good);
    const r = apply(READERS);
    expect(r.published).toBe(true);
    expect(runtime.state().inventory.source).toBe('stale');
    expect(versions()).toEqual(good);
  });
});
