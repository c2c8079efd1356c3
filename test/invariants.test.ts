/**
 * Grep-able invariants of the code's shape: what has one module is spelt nowhere else.
 * - type URLs: envoy-api/protos.ts has the prefix and envoy-api/resource-types.ts derives them
 *   (the generated types spell them from that table); nothing casts a string `as TypeUrl`;
 * - names built and parsed in pairs (chains, proxyless client routes, server listeners, rule ids):
 *   policy-compiler/names.ts;
 * - IP parsing (node:net's isIP*, IPv4-mapped literals, telling families apart by a colon): ip/.
 * The product's own directories are scanned, tests and benchmarks not; comments do not count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const PRODUCT = ['cli', 'controller', 'envoy-api', 'ip', 'kafka-apis', 'problems', 'telemetry', 'policy-compiler', 'xds-server', 'bpf', 'kafka-proxy', 'certs'];

interface Rule {
  readonly what: string;
  readonly pattern: RegExp;
  /** The module that owns it, where the pattern may appear. */
  readonly owners: readonly string[];
  /** A line the rule must catch, so the rule itself is tested. */
  readonly catches: string;
}

const RULES: readonly Rule[] = [
  { what: 'a type URL', pattern: /type\.googleapis\.com/, owners: ['envoy-api/protos.ts', 'envoy-api/generated/messages.ts'], catches: "const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';" },
  { what: 'a cast to TypeUrl', pattern: /\bas TypeUrl\b/, owners: ['envoy-api/resource-types.ts'], catches: 'const url = `${prefix}${m}` as TypeUrl;' },
  { what: 'a chain, route or listener name built by hand', pattern: /[`'"](inbound|outbound|client)\||grpc\/server\?|indexOf\('#'\)/, owners: ['policy-compiler/names.ts'], catches: 'const name = `inbound|${port}|${workload}`;' },
  { what: 'IP parsing outside ip/', pattern: /\bisIP(v4|v6)?\s*\(|['"`/]\^?::ffff:|\.includes\(':'\)/, owners: ['ip/ip.ts'], catches: "if (isIPv4(text)) return text.includes(':');" },
];

/** The code of a file without its comments (a URL's `//` inside a string is kept). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function productFiles(): string[] {
  return PRODUCT.flatMap((d) =>
    fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => path.join(d, f).split(path.sep).join('/')),
  ).sort();
}

describe('one module for each table', () => {
  const files = productFiles();

  it('scans the product', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(files).toContain('policy-compiler/names.ts');
  });

  for (const rule of RULES) {
    it(`nothing outside ${rule.owners.join(', ')} writes ${rule.what}`, () => {
      expect(rule.pattern.test(rule.catches)).toBe(true);
      const found: string[] = [];
      for (const file of files) {
        if (rule.owners.includes(file)) continue;
        code(fs.readFileSync(file, 'utf8'))
          .split('\n')
          .forEach((line, i) => {
            if (rule.pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
          });
      }
      expect(found).toEqual([]);
    });
  }
});
