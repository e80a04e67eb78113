/** A duration: milliseconds as a number, or a string such as `'250ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a Duration; throws a TypeError naming `what` when it is not a valid, non-negative duration. */
export function toMs(d: Duration | string, what = 'duration'): number {
  if (typeof d === 'number') {
    if (Number.isFinite(d) && d >= 0) return d;
  } else {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d.trim());
    if (m) return Number(m[1]) * UNIT[m[2]!]!;
  }
  throw new TypeError(`${what}: ${JSON.stringify(d)} is not a duration (use milliseconds or '250ms', '30s', '5m', '2h', '1d')`);
}
