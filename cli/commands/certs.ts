/** `sluice certs init|issue|inspect|rotate`: a CA, TLS secrets from it, what a certificate says, renewal. */
import path from 'node:path';
import {
  CertsError,
  createCa,
  defaultEnv,
  formatCertificateInfo,
  formatDuration,
  inspectPath,
  isKeyType,
  issueLeaf,
  loadCa,
  nodeFs,
  parseCertificates,
  parseDuration,
  readPemFile,
  rotateLeaf,
  rotationDecision,
  saveCa,
  saveSecret,
  subjectAltNames,
  CA_FILES,
  DEFAULT_RENEW_WINDOW_MS,
  KEY_TYPES,
  MAX_DAYS,
  SECRET_FILES,
  type CertsEnv,
  type InspectReport,
  type IssuedLeaf,
  type KeyType,
  type Usage,
} from '../../certs/index.js';
import { formatDiagnostic, type Diagnostic } from '../../policy-compiler/index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type Command, type CommandIo } from '../command.js';

const KEY_TYPE_LIST = KEY_TYPES.join('|');

const INIT_HELP = `Usage: sluice certs init --dir DIR [--intermediate] [--key-type ${KEY_TYPE_LIST}] [--days N] [--name CN]

Creates a certificate authority in DIR (made 0700 when missing): a self-signed root (root.crt,
root.key), and with --intermediate an intermediate below it (intermediate.crt, intermediate.key)
that signs every leaf, so root.key can be kept offline. Keys are PKCS#8 PEM, mode 0600. Refuses a
DIR that already holds a CA.

Options:
  --dir DIR          where the CA is written (required)
  --intermediate     add an intermediate CA that signs the leaves (the chain served is leaf, intermediate)
  --key-type TYPE    ${KEY_TYPE_LIST} (default ecdsa-p256)
  --days N           validity of the CA (default 3650)
  --name CN          the root's common name (default "sluice root CA"; the intermediate's is CN + " intermediate")
  -h, --help         show this help

Example:
  sluice certs init --dir /etc/sluice/ca --intermediate
`;

const ISSUE_HELP = `Usage: sluice certs issue --ca-dir DIR --out DIR [--dns NAME]... [--ip IP]... [--uri URI]... [options]

Issues a TLS certificate from the CA in --ca-dir and writes the keys of a Kubernetes TLS Secret
into --out: tls.crt (the leaf, then the intermediate), tls.key (PKCS#8, mode 0600) and ca.crt (the
root). Each file is written atomically. Give at least one name; repeat a flag for more names.

Options:
  --ca-dir DIR       the CA (from \`sluice certs init\`) (required)
  --out DIR          the secret directory to write (required)
  --dns NAME         a DNS name; a leading wildcard label is allowed (*.shop.svc.cluster.local)
  --ip IP            an IPv4 or IPv6 address
  --uri URI          a URI, e.g. the SPIFFE ID of a proxy on the xDS channel: spiffe://TRUST-DOMAIN/node/ID
  --client           a client certificate (clientAuth); with --server as well, both
  --server           a server certificate (serverAuth), the default
  --name CN          the subject's common name (default: the first name that fits in 64 characters)
  --key-type TYPE    ${KEY_TYPE_LIST} (default ecdsa-p256)
  --days N           validity (default 90; never past the CA's)
  --force            replace a certificate already in --out (to renew one, use \`sluice certs rotate\`)
  -h, --help         show this help

Examples:
  sluice certs issue --ca-dir ca --out orders-tls --dns orders.shop.svc --dns '*.orders.shop.svc' --ip 10.1.0.7
  sluice certs issue --ca-dir ca --out node-a-xds --client --uri spiffe://cluster.local/node/node-a
`;

const INSPECT_HELP = `Usage: sluice certs inspect FILE|DIR [-o text|json]

Prints what certificates say: subject, issuer, serial, validity, key type, SANs, key usage,
extended key usage, basic constraints, key identifiers and SHA-256 fingerprints. FILE is a PEM file
of certificates or a private key. DIR is a secret directory (tls.crt, tls.key and ca.crt are also
checked together: the key matches, the chain is in order and ends at ca.crt, all valid now) or a
CA directory (checked as \`issue\` loads it). Exits 1 when anything is wrong.

Options:
  -o, --output FMT   text (default) or json
  -h, --help         show this help
`;

const ROTATE_HELP = `Usage: sluice certs rotate --ca-dir DIR --dir SECRETDIR [--window DURATION] [--force] [--days N] [--key-type TYPE]

Renews the certificate in SECRETDIR (from \`sluice certs issue\`) when it is due: within the window
before it expires, expired or not yet valid, or not issued by the CA in --ca-dir (the CA was
replaced). The new certificate keeps the names, usages, common name, key type and lifetime, and
has a new key and a new serial; tls.crt, tls.key and ca.crt are replaced atomically. When it is
not due, nothing is written and the date it will be is printed. A window not shorter than the
certificate's lifetime means a third of the lifetime.

Options:
  --ca-dir DIR       the CA (required)
  --dir SECRETDIR    the secret directory (required)
  --window DURATION  how long before expiry to renew, e.g. 30d, 12h, 1d12h (default 30d)
  --force            renew now, due or not
  --days N           a new lifetime instead of the current one
  --key-type TYPE    a new key type instead of the current one (${KEY_TYPE_LIST})
  -h, --help         show this help

Example (cron or a Kubernetes CronJob):
  sluice certs rotate --ca-dir /etc/sluice/ca --dir /etc/sluice/orders-tls --window 30d
`;

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

function days(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_DAYS) throw new UsageError(`--days: expected a whole number of days from 1 to ${MAX_DAYS}, got "${value}"`);
  return Number(value);
}

function keyType(value: string | undefined): KeyType | undefined {
  if (value === undefined) return undefined;
  if (!isKeyType(value)) throw new UsageError(`--key-type: expected ${KEY_TYPES.join(', ')}, got "${value}"`);
  return value;
}

const FLAG_OF: Readonly<Record<string, string>> = { dns: '--dns', ips: '--ip', uris: '--uri', days: '--days', commonName: '--name', '': '' };

/** Bad request fields are usage errors naming the flag; anything else about the input exits 1. */
function requestFailure(io: CommandIo, diagnostics: readonly Diagnostic[]): number {
  const request = diagnostics.filter((d) => d.code.startsWith('request.'));
  if (request.length > 0) throw new UsageError(request.map((d) => `${FLAG_OF[d.path.replace(/\[\d+\]$/, '')] ?? d.path}${d.path ? ': ' : ''}${d.message}`).join('\n'));
  return printDiagnostics(io, diagnostics);
}

function printDiagnostics(io: CommandIo, diagnostics: readonly Diagnostic[]): number {
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  return diagnostics.some((d) => d.severity === 'error') ? EXIT.invalid : EXIT.ok;
}

/** Runs a command body; the environment failing (CertsError) exits 3 with the path and the reason. */
async function guarded(io: CommandIo, name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof CertsError)) throw error;
    io.stderr(`sluice certs ${name}: ${error.message} [${error.code}]\n`);
    return EXIT.failure;
  }
}

async function loadCaOrReport(io: CommandIo, dir: string, env: CertsEnv) {
  const ca = await loadCa(dir, env);
  if (ca.ok) printDiagnostics(io, ca.warnings);
  else printDiagnostics(io, ca.diagnostics);
  return ca;
}

function describeLeaf(issued: IssuedLeaf): string {
  const c = issued.certificate;
  const sans = subjectAltNames(c);
  const names = [...sans.dns.map((n) => `DNS:${n}`), ...sans.ip.map((n) => `IP:${n}`), ...sans.uri.map((n) => `URI:${n}`)];
  const rows: [string, string][] = [
    ['subject', c.subject || '(empty)'],
    ['names', names.join(', ')],
    ['usage', issued.usages.map((u) => (u === 'server' ? 'serverAuth' : 'clientAuth')).join(', ')],
    ['key', issued.key.type],
    ['valid', `${iso(c.notBefore)} to ${iso(c.notAfter)}${issued.clamped ? ' (cut to the CA\'s own expiry)' : ''}`],
    ['serial', c.serialNumber.toLowerCase()],
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(9)}${v}\n`).join('');
}

const certsInitCommand: Command = {
  name: 'certs init',
  summary: 'create a certificate authority (root, optionally an intermediate) in a directory',
  help: INIT_HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      dir: { type: 'string' },
      intermediate: { type: 'boolean', default: false },
      'key-type': { type: 'string' },
      days: { type: 'string' },
      name: { type: 'string' },
    });
    if (!values.dir) throw new UsageError('--dir DIR is required');
    const dir = values.dir;
    const type = keyType(values['key-type']);
    const validity = days(values.days);
    const env = defaultEnv();
    return guarded(io, 'init', async () => {
      const ca = await createCa({ intermediate: values.intermediate, ...(type ? { keyType: type } : {}), ...(validity !== undefined ? { days: validity } : {}), ...(values.name !== undefined ? { commonName: values.name } : {}) }, env);
      if (!ca.ok) return requestFailure(io, ca.diagnostics);
      const written = await saveCa(dir, ca.value, env.crypto);
      io.stdout(`created a CA in ${dir}: ${written.map((f) => path.basename(f)).join(', ')} (keys 0600)\n`);
      io.stdout(`  root          ${ca.value.root.subject}, ${ca.value.signer.key.type} keys, valid to ${iso(ca.value.root.notAfter)}\n`);
      if (ca.value.intermediate) {
        io.stdout(`  intermediate  ${ca.value.intermediate.subject}: signs the leaves (${CA_FILES.rootKey} is not needed to issue; it may be kept offline)\n`);
      }
      io.stdout(`peers trust ${path.join(dir, CA_FILES.root)}\n`);
      return EXIT.ok;
    });
  },
};

const certsIssueCommand: Command = {
  name: 'certs issue',
  summary: 'issue a TLS server or client certificate into a secret directory (tls.crt, tls.key, ca.crt)',
  help: ISSUE_HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      'ca-dir': { type: 'string' },
      out: { type: 'string' },
      dns: { type: 'string', multiple: true },
      ip: { type: 'string', multiple: true },
      uri: { type: 'string', multiple: true },
      client: { type: 'boolean', default: false },
      server: { type: 'boolean', default: false },
      name: { type: 'string' },
      'key-type': { type: 'string' },
      days: { type: 'string' },
      force: { type: 'boolean', default: false },
    });
    if (!values['ca-dir']) throw new UsageError('--ca-dir DIR is required');
    if (!values.out) throw new UsageError('--out DIR is required');
    const [caDir, out] = [values['ca-dir'], values.out];
    if (!values.dns && !values.ip && !values.uri) throw new UsageError('give at least one name: --dns NAME, --ip IP or --uri URI');
    const usages: Usage[] = values.client ? (values.server ? ['server', 'client'] : ['client']) : ['server'];
    const type = keyType(values['key-type']);
    const validity = days(values.days);
    const env = defaultEnv();
    return guarded(io, 'issue', async () => {
      if (!values.force && (await nodeFs.kindOf(path.join(out, SECRET_FILES.cert))) !== 'missing') throw new CertsError('exists', `${path.join(out, SECRET_FILES.cert)} exists: renew it with \`sluice certs rotate\`, or replace it with --force`, out);
      const ca = await loadCaOrReport(io, caDir, env);
      if (!ca.ok) return EXIT.invalid;
      const issued = await issueLeaf(
        ca.value,
        { dns: values.dns ?? [], ips: values.ip ?? [], uris: values.uri ?? [], usages, ...(values.name !== undefined ? { commonName: values.name } : {}), ...(type ? { keyType: type } : {}), ...(validity !== undefined ? { days: validity } : {}) },
        env,
      );
      if (!issued.ok) return requestFailure(io, issued.diagnostics);
      await saveSecret(out, issued.value, env.crypto);
      const chain = issued.value.chain.length - 1;
      io.stdout(`issued ${out}: ${SECRET_FILES.cert} (leaf${chain > 0 ? ` + ${chain} intermediate` : ''}), ${SECRET_FILES.key} (0600), ${SECRET_FILES.ca}\n${describeLeaf(issued.value)}`);
      return EXIT.ok;
    });
  },
};

function formatReport(report: InspectReport, now: Date): string {
  const blocks = report.certificates.map((c) => formatCertificateInfo(c, `${c.file} certificate[${c.index}]`, now));
  const keys = report.privateKeys.map((k) => `${k.file} private key\n  key                ${k.keyType}\n  public key sha256  ${k.publicKeySha256}\n`);
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  const verdict = report.kind === 'secret' || report.kind === 'ca' ? [errors === 0 ? `${report.path}: ok (${report.kind === 'secret' ? 'the key matches the leaf; the chain verifies to ca.crt; all valid now' : 'the CA loads and can issue'})\n` : `${report.path}: ${errors} problem(s)\n`] : [];
  return [...blocks, ...keys, ...verdict].join('\n');
}

const certsInspectCommand: Command = {
  name: 'certs inspect',
  summary: 'show what a certificate, key, secret directory or CA directory holds, and check it',
  help: INSPECT_HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { output: { type: 'string', short: 'o', default: 'text' } }, true);
    if (values.output !== 'text' && values.output !== 'json') throw new UsageError(`--output: expected text or json, got "${values.output}"`);
    const [target, extra] = positionals;
    if (target === undefined) throw new UsageError('give the FILE or DIR to inspect');
    if (extra !== undefined) throw new UsageError(`inspect takes one FILE or DIR, got also "${extra}"`);
    const env = defaultEnv();
    return guarded(io, 'inspect', async () => {
      const report = await inspectPath(target, env);
      io.stdout(values.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, env.now()));
      return printDiagnostics(io, report.diagnostics);
    });
  },
};

const certsRotateCommand: Command = {
  name: 'certs rotate',
  summary: 'renew a secret directory\'s certificate when it is due (keeps the names; new key and serial)',
  help: ROTATE_HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      'ca-dir': { type: 'string' },
      dir: { type: 'string' },
      window: { type: 'string' },
      force: { type: 'boolean', default: false },
      days: { type: 'string' },
      'key-type': { type: 'string' },
    });
    if (!values['ca-dir']) throw new UsageError('--ca-dir DIR is required');
    if (!values.dir) throw new UsageError('--dir SECRETDIR is required');
    const [caDir, dir] = [values['ca-dir'], values.dir];
    const windowMs = values.window === undefined ? DEFAULT_RENEW_WINDOW_MS : parseDuration(values.window);
    if (windowMs === undefined) throw new UsageError(`--window: expected a duration such as 30d, 12h or 1d12h, got "${values.window ?? ''}"`);
    const type = keyType(values['key-type']);
    const validity = days(values.days);
    const env = defaultEnv();
    return guarded(io, 'rotate', async () => {
      const file = path.join(dir, SECRET_FILES.cert);
      const read = await readPemFile(file);
      const parsed = read.ok ? parseCertificates(read.value.text) : read;
      const leaf = parsed.ok ? parsed.value[0] : undefined;
      if (!parsed.ok || !leaf) return printDiagnostics(io, parsed.ok ? [] : parsed.diagnostics.map((d) => ({ ...d, file: d.file ?? file })));
      const ca = await loadCaOrReport(io, caDir, env);
      if (!ca.ok) return EXIT.invalid;
      const now = env.now();
      const decision = await rotationDecision(leaf, ca.value, now, windowMs, env.crypto);
      const window = `window ${formatDuration(decision.windowMs)}${decision.windowClamped ? `, a third of the lifetime, as ${formatDuration(windowMs)} is not shorter than it` : ''}`;
      if (!decision.due && !values.force) {
        io.stdout(`not due: ${file} (${leaf.subject || 'empty subject'}) expires ${iso(leaf.notAfter)}; renewal from ${iso(decision.renewAt)} (${window})\n`);
        return EXIT.ok;
      }
      const rotated = await rotateLeaf(ca.value, leaf, env, { ...(validity !== undefined ? { days: validity } : {}), ...(type ? { keyType: type } : {}) });
      // The names come from the certificate, not from flags: a problem with them is about the file.
      if (!rotated.ok) return printDiagnostics(io, rotated.diagnostics.map((d) => ({ ...d, file: d.file ?? file })));
      await saveSecret(dir, rotated.value, env.crypto);
      const why = decision.due ? { expired: 'it had expired', 'not-yet-valid': 'it was not yet valid', 'within-window': `it expires ${iso(leaf.notAfter)}, within the ${window}`, 'issuer-changed': 'the CA no longer matches the one that issued it', 'not-due': '' }[decision.reason] : 'forced';
      io.stdout(`rotated ${dir}: ${why}\n  serial   ${leaf.serialNumber.toLowerCase()} → ${rotated.value.certificate.serialNumber.toLowerCase()}\n${describeLeaf(rotated.value)}`);
      return EXIT.ok;
    });
  },
};

/** Registered as one entry in cli/commands/index.ts. */
export const CERTS_COMMANDS: readonly Command[] = [certsInitCommand, certsIssueCommand, certsInspectCommand, certsRotateCommand];
