/**
 * Grep-able invariants of the code's shape: what has one module is spelt nowhere else.
 * - type URLs: envoy-api/protos.ts has the prefix and envoy-api/resource-types.ts derives them
 *   (the generated types spell them from that table); nothing casts a string `as TypeUrl`;
 * - names built and parsed in pairs (chains, proxyless client routes, server listeners, rule ids):
 *   policy-compiler/names.ts;
 * - IP parsing and host:port (node:net's isIP*, IPv4-mapped literals, telling families apart or
 *   splitting at a colon, IPv6 brackets): ip/.
 * Every top-level directory with TypeScript is scanned (the same list tsconfig.build.json builds),
 * except the test suites and the benchmarks; test files and comments do not count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

/** Top-level directories with TypeScript that are not the product. */
const NOT_PRODUCT = new Set(['test', 'bench', 'node_modules', 'dist']);

const tsFiles = (dir: string): string[] => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

/** The product's directories, from the repository: every top-level directory holding TypeScript. */
const PRODUCT = fs
  .readdirSync('.', { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !NOT_PRODUCT.has(d.name) && tsFiles(d.name).length > 0)
  .map((d) => d.name)
  .sort();

interface Rule {
  readonly what: string;
  readonly pattern: RegExp;
  /** The module that owns it, where the pattern may appear. */
  readonly owners: readonly string[];
  /** Lines the rule must catch, so the rule itself is tested. */
  readonly catches: readonly string[];
}

const RULES: readonly Rule[] = [
  { what: 'a type URL', pattern: /type\.googleapis\.com/, owners: ['envoy-api/protos.ts', 'envoy-api/generated/messages.ts'], catches: ["const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';"] },
  { what: 'a cast to TypeUrl', pattern: /\bas TypeUrl\b/, owners: ['envoy-api/resource-types.ts'], catches: ['const url = `${prefix}${m}` as TypeUrl;'] },
  { what: 'a chain, route or listener name built by hand', pattern: /[`'"](inbound|outbound|client)\||grpc\/server\?/, owners: ['policy-compiler/names.ts'], catches: ['const name = `inbound|${port}|${workload}`;'] },
  { what: 'a rule id parsed by hand', pattern: /(indexOf|split)\('#'\)/, owners: ['policy-compiler/names.ts'], catches: ["const policy = rule.slice(0, rule.indexOf('#'));"] },
  { what: 'IP parsing outside ip/', pattern: /\bisIP(v4|v6)?\s*\(|['"`/]\^?::ffff:|\.includes\(':'\)|(split|lastIndexOf)\(':'\)/, owners: ['ip/ip.ts'], catches: ["if (isIPv4(text)) return text.includes(':');", "const mapped = /^::ffff:(\\d+\\.\\d+)$/i.exec(bare);", "const [host, port] = address.split(':');"] },
  { what: 'host:port written by hand', pattern: /\[\$\{[^}]*\}\]:\$\{|\$\{[^}]*(host|[aA]ddress)\}:\$\{[^}]*[pP]ort[^}]*\}/, owners: ['ip/ip.ts'], catches: ['const where = `${admin.host}:${server.port}`;', 'return family === AF_INET6 ? `[${text}]:${port}` : `${text}:${port}`;'] },
  { what: 'host:port split by a regular expression', pattern: /[\])]:\(\\d/, owners: ['ip/ip.ts'], catches: ['const m = /^\\[([^\\]]+)\\]:(\\d+)$/.exec(address);'] },
];

/** The code of a file without its comments (a URL's `//` inside a string is kept). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function productFiles(): string[] {
  return PRODUCT.flatMap((d) => tsFiles(d).map((f) => path.join(d, f).split(path.sep).join('/'))).sort();
}

describe('one module for each table', () => {
  const files = productFiles();

  it('scans the product: every directory the build compiles but the benchmarks', () => {
    const build = JSON.parse(fs.readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };
    expect(PRODUCT).toEqual(build.include.filter((d) => !NOT_PRODUCT.has(d)).sort());
    expect(PRODUCT).toEqual(expect.arrayContaining(['flows', 'k8s', 'node-agent', 'xds-client', 'controller', 'kafka-proxy', 'bpf', 'ip']));
    expect(files.length).toBeGreaterThan(300);
    expect(files).toContain('policy-compiler/names.ts');
    expect(files).toContain('flows/workloads.ts');
  });

  for (const rule of RULES) {
    it(`nothing outside ${rule.owners.join(', ')} writes ${rule.what}`, () => {
      for (const line of rule.catches) expect([line, rule.pattern.test(line)]).toEqual([line, true]);
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
