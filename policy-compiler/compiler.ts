/**
 * The compiler: validated policies + inventory → diagnostics, IR, and the resources of every
 * proxy, in two stages: `lower` (lower/lower.ts: model + inventory → IR) and `translate`
 * (translate/translate.ts: IR → resources, reading nothing else). Pure and deterministic: the same
 * input gives byte-identical output. It never throws on bad user input; problems are diagnostics.
 */
import type { Diagnostic } from './diagnostics.js';
import { sortDiagnostics } from './diagnostics.js';
import type { Inventory, Policy } from './model/types.js';
import type { SecretCatalog } from './model/secrets.js';
import type { Ir } from './ir/types.js';
import type { RedirectEntry } from './ir/redirect.js';
import { IncrementalLowering } from './lower/lower.js';
import { IncrementalTranslation, type Translation } from './translate/translate.js';

export interface CompileOutput extends Translation {
  readonly diagnostics: readonly Diagnostic[];
  readonly ir: Ir;
  readonly redirects: readonly RedirectEntry[];
}

/**
 * A compiler that remembers its previous work (both stages are memoised by identity): `sluice
 * serve` keeps one, so recompiling after one policy changed costs about what that policy costs.
 * A test holds it equal to a fresh compile after every step of random edits.
 */
export class Compiler {
  private readonly lowering = new IncrementalLowering();
  private readonly translation = new IncrementalTranslation();

  /** `secrets`: the secrets in force (absent: no secret source, so TLS references are not checked and their chains refuse connections). */
  compile(policies: readonly Policy[], inventory: Inventory, secrets?: SecretCatalog): CompileOutput {
    const { ir, diagnostics } = this.lowering.lower(policies, inventory, secrets);
    return { ...this.translation.translate(ir), diagnostics: sortDiagnostics(diagnostics), ir, redirects: ir.redirects };
  }
}

/** Compiles from scratch: the pure function the CLI and the tests call. */
export function compile(policies: readonly Policy[], inventory: Inventory, secrets?: SecretCatalog): CompileOutput {
  return new Compiler().compile(policies, inventory, secrets);
}
