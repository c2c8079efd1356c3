import { describe, expect, it } from '@jest/globals';
import type { Diagnostic } from './diagnostic.js';
import { formatDiagnostic } from './format.js';

const d: Diagnostic = { severity: 'error', code: 'regex.invalid', file: 'p.yaml', document: 0, path: 'spec.ingress[0].path.regex', line: 12, column: 9, message: 'not a valid RE2 regular expression' };

describe('formatDiagnostic, the one formatter', () => {
  it('writes each style', () => {
    expect(formatDiagnostic(d)).toBe('p.yaml:12:9: error: spec.ingress[0].path.regex: not a valid RE2 regular expression [regex.invalid]');
    expect(formatDiagnostic(d, 'in-policy')).toBe('line 12: spec.ingress[0].path.regex: not a valid RE2 regular expression');
    expect(formatDiagnostic(d, 'in-sources')).toBe('error: p.yaml:12: spec.ingress[0].path.regex: not a valid RE2 regular expression');
    expect(formatDiagnostic(d, 'brief')).toBe('spec.ingress[0].path.regex: not a valid RE2 regular expression');
  });

  it('leaves out what a diagnostic does not have', () => {
    const bare: Diagnostic = { severity: 'warning', code: 'inventory.missing', path: '', message: 'no Inventory document' };
    expect(formatDiagnostic(bare)).toBe('<input>: warning: no Inventory document [inventory.missing]');
    expect(formatDiagnostic(bare, 'in-policy')).toBe('no Inventory document');
    expect(formatDiagnostic(bare, 'brief')).toBe('no Inventory document');
  });
});
