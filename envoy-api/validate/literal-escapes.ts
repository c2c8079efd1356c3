/**
 * protobufjs's `.proto` parser unescapes string literals only partly: `\\`, `\n`, `\r`, `\t` and a
 * lone `\0` come out right, but `\x99`, octal `\002`, `\"`, `\'` and the rest lose their backslash
 * and letter (`"\x99"` becomes `"99"`). A PGV rule written with such a literal (a bytes prefix, a
 * pattern with `\"`) would be read wrong and checked wrong, silently. This finds those fields in
 * the proto source, so their rules are reported as unsupported instead.
 */

/** An escape protobufjs's tokenizer does not turn back into the intended character. */
const MANGLED_ESCAPE = /\\(?![\\nrt]|0(?![0-7]))/;

/** The text of field `name = id [ ... ];` declarations in a proto file (all that match). */
function fieldOptionTexts(source: string, name: string, id: number): string[] {
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
 * True when the `(validate.rules)` of field `name = id` in `source` use a string literal whose
 * escapes protobufjs would mangle.
 */
export function hasMangledRuleLiteral(source: string, name: string, id: number): boolean {
  return fieldOptionTexts(source, name, id).some((text) => text.includes('(validate.rules)') && literals(text).some((lit) => MANGLED_ESCAPE.test(lit)));
}
