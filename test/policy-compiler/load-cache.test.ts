/**
 * The load cache: an unchanged file keeps its loaded documents (the same objects, which the
 * incremental compiler relies on); a changed file is loaded again; a file that left the sources is
 * forgotten, so when it comes back it is loaded again, not served from before it left.
 */
import { describe, it, expect } from '@jest/globals';
import { DEFAULT_PARSE_LIMITS, LoadCache, loadSources, type SourceFile } from '../../policy-compiler/index.js';
import { INVENTORY, policy } from '../controller/fixtures.js';

const READERS = policy('readers', '{ http: [ { method: GET } ] }');
const WRITERS = policy('writers', '{ http: [ { method: POST } ] }');

function load(cache: LoadCache, ...files: SourceFile[]) {
  const result = loadSources(files, DEFAULT_PARSE_LIMITS, cache);
  return (name: string) => result.documents.find((d) => d.file === name);
}

describe('LoadCache', () => {
  it('keeps the documents of unchanged files and loads changed ones again', () => {
    const cache = new LoadCache();
    const first = load(cache, INVENTORY, READERS, WRITERS);
    const changed = policy('writers', '{ http: [ { method: PUT } ] }');
    const second = load(cache, INVENTORY, { name: READERS.name, text: `${READERS.text}` }, changed);
    expect(second(READERS.name)).toBe(first(READERS.name));
    expect(second(INVENTORY.name)).toBe(first(INVENTORY.name));
    expect(second(WRITERS.name)).not.toBe(first(WRITERS.name));
    expect(second(WRITERS.name)?.policy?.key).toBe('shop/writers');
  });

  it('forgets a file that left the sources, and loads it again when it returns', () => {
    const cache = new LoadCache();
    const first = load(cache, INVENTORY, READERS, WRITERS);
    const without = load(cache, INVENTORY, READERS);
    expect(without(WRITERS.name)).toBeUndefined();
    expect(without(READERS.name)).toBe(first(READERS.name));
    const back = load(cache, INVENTORY, READERS, WRITERS);
    expect(back(WRITERS.name)).toBeDefined();
    expect(back(WRITERS.name)).not.toBe(first(WRITERS.name));
    expect(back(READERS.name)).toBe(first(READERS.name));
  });
});
