/**
 * PEM (RFC 7468) in and out. The reader is strict about what it needs (matching BEGIN/END labels,
 * valid base64, bounded size and block count) and lenient about what RFC 7468 allows around the
 * blocks (explanatory text such as openssl's `subject=` lines). Every problem names its line.
 */
import type { Diagnostic } from '../policy-compiler/index.js';
import { problem } from './problems.js';
import { failed, ok, type Result } from './types.js';

/** The largest PEM text read (a bundle of 100 RSA certificates is about 200 KB). */
export const MAX_PEM_BYTES = 256 * 1024;
/** The most blocks one file may hold. */
export const MAX_PEM_BLOCKS = 100;

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
  /** The 1-based line of the block's BEGIN line. */
  readonly line: number;
  /** RFC 1421 headers (`Proc-Type: 4,ENCRYPTED` marks a legacy encrypted key). */
  readonly headers: ReadonlyMap<string, string>;
}

const BEGIN = /^-----BEGIN ([ -~]*?)-----\s*$/;
const END = /^-----END ([ -~]*?)-----\s*$/;
const HEADER = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/;
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;
// Control characters other than tab, LF and CR: PEM is text.
const BINARY = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

interface OpenBlock {
  label: string;
  line: number;
  headers: Map<string, string>;
  body: string[];
  inBody: boolean;
}

/** Splits PEM text into its blocks, or says exactly what is wrong with it. */
export function parsePem(text: string): Result<PemBlock[]> {
  if (Buffer.byteLength(text, 'utf8') > MAX_PEM_BYTES) return failed([tooLarge(Buffer.byteLength(text, 'utf8'))]);
  if (BINARY.test(text)) {
    return failed([problem('pem.binary', '', 'binary data where PEM text is expected (DER is not read: convert it with `openssl x509 -inform der` or `openssl pkey -inform der`)')]);
  }
  if (text.trim() === '') return failed([problem('pem.none', '', 'the file is empty')]);
  const blocks: PemBlock[] = [];
  const lines = text.split(/\r?\n/);
  let open: OpenBlock | undefined;
  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    const line = raw.trim();
    if (!open) {
      const begin = BEGIN.exec(line);
      if (begin) open = { label: begin[1] ?? '', line: lineNo, headers: new Map(), body: [], inBody: false };
      continue;
    }
    if (BEGIN.test(line)) return failed([truncated(open, `a new BEGIN line at line ${lineNo}`)]);
    const end = END.exec(line);
    if (end) {
      if (end[1] !== open.label) {
        return failed([problem('pem.label-mismatch', '', `"-----END ${end[1] ?? ''}-----" closes "-----BEGIN ${open.label}-----" (line ${open.line})`, { line: lineNo })]);
      }
      const block = finish(open, lineNo);
      if ('code' in block) return failed([block]);
      blocks.push(block);
      if (blocks.length > MAX_PEM_BLOCKS) return failed([problem('pem.too-many-blocks', '', `more than ${MAX_PEM_BLOCKS} PEM blocks`, { line: open.line })]);
      open = undefined;
      continue;
    }
    const bad = addBodyLine(open, line, lineNo);
    if (bad) return failed([bad]);
  }
  if (open) return failed([truncated(open, 'the end of the file')]);
  if (blocks.length === 0) return failed([problem('pem.none', '', 'no PEM block ("-----BEGIN ...-----") found')]);
  return ok(blocks);
}

function addBodyLine(open: OpenBlock, line: string, lineNo: number): Diagnostic | undefined {
  if (line === '') {
    open.inBody = open.inBody || open.headers.size > 0;
    return undefined;
  }
  const header = open.inBody ? null : HEADER.exec(line);
  if (header) {
    open.headers.set(header[1] ?? '', header[2] ?? '');
    return undefined;
  }
  if (!BASE64_LINE.test(line)) return problem('pem.base64', '', `"-----BEGIN ${open.label}-----" (line ${open.line}): not base64`, { line: lineNo });
  open.inBody = true;
  open.body.push(line);
  return undefined;
}

function finish(open: OpenBlock, endLine: number): PemBlock | Diagnostic {
  const b64 = open.body.join('');
  if (b64 === '') return problem('pem.empty-block', '', `"-----BEGIN ${open.label}-----" has no content`, { line: open.line });
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    return problem('pem.base64', '', `"-----BEGIN ${open.label}-----" (lines ${open.line}-${endLine}): the base64 is cut short or padded in the middle`, { line: open.line });
  }
  return { label: open.label, der: new Uint8Array(Buffer.from(b64, 'base64')), line: open.line, headers: open.headers };
}

function truncated(open: OpenBlock, where: string): Diagnostic {
  return problem('pem.truncated', '', `"-----BEGIN ${open.label}-----" is not closed before ${where}: the file is truncated`, { line: open.line });
}

export function tooLarge(bytes: number): Diagnostic {
  return problem('file.too-large', '', `${bytes} bytes is more than the ${MAX_PEM_BYTES} a PEM file may hold`);
}

/** One PEM block: base64 in 64-character lines, newline-terminated. */
export function encodePem(label: string, der: Uint8Array | ArrayBuffer): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
