import { FleetError } from '../errors.js';

/** A length of time: milliseconds as a number, or a string such as `'100ms'`, `'5s'`, `'2m'`, `'1h'`, `'1d'` (one type for all of Fleet). */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/**
 * Parses a duration once, at boot: `parseDuration('30s')` // => 30000. Numbers are milliseconds.
 * Throws `FLEET_ERR_RESILIENCE_INVALID_OPTIONS` naming `what` for anything else (negative, NaN, '5 sec').
 */
export function parseDuration(value: Duration | string, what = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const m = DURATION.exec(value.trim());
    if (m) return Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  throw new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS',
    `${what}: ${JSON.stringify(value)} is not a duration. Fix: use milliseconds as a number, or a string like '100ms', '5s', '2m', '1h'.`);
}

/** A rate such as `'100/minute'`, `'10/second'`, `'1000/hour'`, `'5000/day'`, or `'20/30s'` (a duration as the period). */
export type Rate = `${number}/${string}`;

const PERIOD_MS: Record<string, number> = {
  second: 1000, sec: 1000, s: 1000, minute: 60_000, min: 60_000, m: 60_000, hour: 3_600_000, h: 3_600_000, day: 86_400_000, d: 86_400_000,
};

/** Parses `'100/minute'` // => { limit: 100, periodMs: 60000 }. */
export function parseRate(value: string, what = 'rate'): { limit: number; periodMs: number } {
  const m = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(String(value));
  const limit = m ? Number(m[1]) : NaN;
  const unit = m?.[2];
  let periodMs = unit === undefined ? NaN : PERIOD_MS[unit] ?? NaN;
  if (unit !== undefined && Number.isNaN(periodMs) && DURATION.test(unit)) periodMs = parseDuration(unit as Duration, what);
  if (!Number.isInteger(limit) || limit < 1 || !(periodMs > 0)) {
    throw new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS',
      `${what}: ${JSON.stringify(value)} is not a rate. Fix: write '<count>/<period>' with a positive count, e.g. '100/minute', '10/second', '1000/hour' or '20/30s'.`);
  }
  return { limit, periodMs };
}
