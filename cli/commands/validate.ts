/** `sluice validate FILE...`: checks policy and inventory files; exit 1 when any is invalid. */
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { readSourceFiles } from '../../controller/index.js';
import { formatDiagnostic, loadSources, sortDiagnostics } from '../../policy-compiler/index.js';

const HELP = `Usage: sluice validate [-o text|json] FILE|DIR...

Checks L7Policy and Inventory documents (YAML or JSON; directories are searched for
*.yaml, *.yml and *.json). Every problem is printed as
  FILE:LINE:COLUMN: error: FIELD.PATH: message [code]
Exits 0 when everything is valid (warnings allowed), 1 when anything is invalid.

Options:
  -o, --output text|json   output format (default text)
  -h, --help               show this help

Example:
  sluice validate examples/policies examples/inventory.yaml
`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check policy and inventory files and print every error with its field path and line',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { output: { type: 'string', short: 'o', default: 'text' } }, true);
    if (positionals.length === 0) throw new UsageError('name at least one FILE or DIR');
    if (values.output !== 'text' && values.output !== 'json') throw new UsageError(`--output: expected text or json, got "${values.output}"`);
    const read = readSourceFiles(positionals);
    const loaded = loadSources(read.files);
    const diagnostics = sortDiagnostics([...read.diagnostics, ...loaded.diagnostics]);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    const invalidDocs = loaded.documents.filter((d) => d.diagnostics.some((x) => x.severity === 'error')).length;
    if (values.output === 'json') {
      io.stdout(`${JSON.stringify({ valid: errors === 0, files: read.files.length, documents: loaded.documents.length, diagnostics }, null, 2)}\n`);
    } else {
      for (const d of diagnostics) (d.severity === 'error' ? io.stderr : io.stdout)(`${formatDiagnostic(d)}\n`);
      const summary = `${read.files.length} file(s), ${loaded.documents.length} document(s): ${loaded.policies.length} valid polic${loaded.policies.length === 1 ? 'y' : 'ies'}${loaded.inventory ? ', 1 inventory' : ''}, ${invalidDocs} invalid; ${errors} error(s), ${warnings} warning(s)\n`;
      (errors > 0 ? io.stderr : io.stdout)(summary);
    }
    return errors > 0 ? EXIT.invalid : EXIT.ok;
  },
};
