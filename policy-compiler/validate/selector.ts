/** Label selectors: the checks the schema cannot express (label key syntax, operator/value agreement). */
import type { LabelSelector as SourceSelector } from '../generated/l7policy.js';
import type { PathSegment } from '../diagnostics.js';
import type { LabelSelector } from '../model/types.js';
import type { DocumentContext } from './context.js';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function checkLabelKeys(ctx: DocumentContext, path: readonly PathSegment[], labels: Readonly<Record<string, string>> | undefined): void {
  for (const key of Object.keys(labels ?? {})) {
    if (!LABEL_KEY.test(key) || key.length > 317) ctx.error([...path, key], 'label.key', `"${key}" is not a valid label key (name, or prefix/name, as in Kubernetes)`);
  }
}

export function validateSelector(ctx: DocumentContext, path: readonly PathSegment[], source: SourceSelector): LabelSelector {
  checkLabelKeys(ctx, [...path, 'matchLabels'], source.matchLabels);
  const matchExpressions = (source.matchExpressions ?? []).map((expr, i) => {
    const values = expr.values ?? [];
    const at = [...path, 'matchExpressions', i, 'values'];
    if ((expr.operator === 'In' || expr.operator === 'NotIn') && values.length === 0) {
      ctx.error(at, 'selector.values', `operator ${expr.operator} needs at least one value`);
    }
    if ((expr.operator === 'Exists' || expr.operator === 'DoesNotExist') && values.length > 0) {
      ctx.error(at, 'selector.values', `operator ${expr.operator} takes no values`);
    }
    return { key: expr.key, operator: expr.operator, values: [...values].sort() };
  });
  return { matchLabels: { ...(source.matchLabels ?? {}) }, matchExpressions };
}

/** Whether a workload's labels satisfy a selector (Kubernetes semantics; `{}` matches everything). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || value === undefined || !e.values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && e.values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}
