/**
 * protobufjs's `.proto` parser unescapes string literals only partly: `\\`, `\n`, `\r`, `\t` and a
 * lone `\0` come out right, but `\x99`, octal `\002`, `\"`, `\'` and the rest lose their backslash
 * and letter (`"\x99"` becomes `"99"`). A PGV rule written with such a literal (a bytes prefix, a
 * pattern with `\"`) would be read wrong and checked wrong, silently. This finds those fields in
 * the proto source, so their rules are reported as unsupported instead.
 */

/** True when a raw literal holds an escape protobufjs's tokenizer does not turn back into the intended character. */
function hasMangledEscape(literal: string): boolean {
  for (const m of literal.matchAll(/\\(.?)/gs)) {
    const next = literal[(m.index ?? 0) + 2] ?? '';
    const ok = m[1] === '\\' || m[1] === 'n' || m[1] === 'r' || m[1] === 't' || (m[1] === '0' && !/[0-7]/.test(next));
    if (!ok) return true;
  }
  return false;
}

/** The proto text with comments blanked out (same length, so offsets stay valid). */
function withoutComments(source: string): string {
  return source.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
}

/** The bodies of every `message <name> { ... }` in the (comment-free) text. */
function messageBodies(text: string, message: string): string[] {
  const out: string[] = [];
  const head = new RegExp(`\\bmessage\\s+${message.replace(/[^A-Za-z0-9_]/g, '')}\\s*\\{`, 'g');
  for (let m = head.exec(text); m; m = head.exec(text)) {
    let depth = 1;
    let i = m.index + m[0].length;
    let quote: string | undefined;
    for (; i < text.length && depth > 0; i++) {
      const c = text[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    out.push(text.slice(m.index + m[0].length, i));
  }
  return out;
}

/** The text of field `name = id [ ... ]` declarations in a message body. */
function fieldOptionTexts(body: string, name: string, id: number): string[] {
  const source = body;
  const out: string[] = [];
  const decl = new RegExp(`\\b${name.replace(/[^A-Za-z0-9_]/g, '')}\\s*=\\s*${id}\\s*\\[`, 'g');
  for (let m = decl.exec(source); m; m = decl.exec(source)) {
    let depth = 1;
    let i = m.index + m[0].length;
    let quote: string | undefined;
    for (; i < source.length && depth > 0; i++) {
      const c = source[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
    }
    out.push(source.slice(m.index, i));
  }
  return out;
}

/** The string literals (between quotes, escapes kept raw) in a piece of proto text. */
function literals(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/gs)].map((m) => m[1] ?? m[2] ?? '');
}

/**
 * True when the `(validate.rules)` of field `name = id` of message `message` (its simple name) in
 * `source` use a string literal whose escapes protobufjs would mangle.
 */
export function hasMangledRuleLiteral(source: string, message: string, name: string, id: number): boolean {
  if (!source.includes('\\')) return false;
  return messageBodies(withoutComments(source), message).some((body) =>
    fieldOptionTexts(body, name, id).some((text) => text.includes('(validate.rules)') && literals(text).some(hasMangledEscape)));
}
