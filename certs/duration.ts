/** Durations as people write them for renewal windows: `30d`, `12h`, `90m`, `45s`, or `1d12h`. */

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
] as const;

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds, or undefined when `text` is not a duration (a bare number has no unit and is refused). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === '') return undefined;
  let ms = 0;
  for (const [i, [, unit]] of UNITS.entries()) {
    const n = match[i + 1];
    if (n !== undefined) ms += Number(n) * unit;
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest exact form: 2,592,000,000 ms → `30d`; 129,600,000 → `1d12h`; 0 → `0s`. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000) * 1000);
  let out = '';
  for (const [name, unit] of UNITS) {
    const n = Math.floor(rest / unit);
    if (n > 0) out += `${n}${name}`;
    rest -= n * unit;
  }
  return out || '0s';
}
