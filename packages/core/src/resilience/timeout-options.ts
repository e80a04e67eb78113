import type { Duration } from '../time/duration.js';
import { OptionChecks } from './option-checks.js';

/** Presets of `@Timeout`: `'call'` for calls to other services, `'batch'` for batch work. */
export const TIMEOUT_PRESETS = { call: 5_000, batch: 30_000 } as const;

/** Argument of `@Timeout`: a duration (`'5s'`, `250`) or a preset. @default 'call' (5 s) */
export type TimeoutSetting = Duration | keyof typeof TIMEOUT_PRESETS;

export function resolveTimeout(setting: TimeoutSetting | undefined, where: string): number {
  const check = new OptionChecks(`@Timeout on ${where}`);
  if (setting === undefined) return TIMEOUT_PRESETS.call;
  if (setting === 'call' || setting === 'batch') return TIMEOUT_PRESETS[setting];
  return check.duration('timeout', setting, 0, 1);
}
