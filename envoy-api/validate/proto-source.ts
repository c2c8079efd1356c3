/**
 * Reading a `.proto` file's text, for the one check that needs the source rather than protobufjs's
 * parse of it (string literals with escapes protobufjs misreads; see literal-escapes.ts). The I/O
 * sits here, injected into the plan cache and the audit; results are cached per file.
 */
import fs from 'node:fs';

/** Returns a file's text, or `undefined` when it cannot be read (the check is then skipped). */
export type ProtoSourceReader = (filename: string) => string | undefined;

/** Reads from the file system, once per file. */
export function fileSourceReader(): ProtoSourceReader {
  const cache = new Map<string, string | undefined>();
  return (filename) => {
    if (!cache.has(filename)) {
      let text: string | undefined;
      try {
        text = fs.readFileSync(filename, 'utf8');
      } catch {
        text = undefined;
      }
      cache.set(filename, text);
    }
    return cache.get(filename);
  };
}
