import { describe, expect, it } from 'vitest';
import type { FleetError } from '../errors.js';
import { parseDuration, parseRate } from './duration.js';

describe('parseDuration', () => {
  it('reads numbers as milliseconds and strings with a unit', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('100ms')).toBe(100);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
  });

  it('rejects anything else with a coded error that names the field', () => {
    for (const bad of [-1, Number.NaN, '5 sec', 'soon', '']) {
      const e = (() => { try { parseDuration(bad as never, '@Timeout on A.b: timeout'); } catch (x) { return x as FleetError; } })();
      expect(e?.code).toBe('FLEET_ERR_RESILIENCE_INVALID_OPTIONS');
      expect(e?.message).toContain('@Timeout on A.b: timeout');
    }
  });
});

describe('parseRate', () => {
  it('reads count/period', () => {
    expect(parseRate('100/minute')).toEqual({ limit: 100, periodMs: 60_000 });
    expect(parseRate('10/second')).toEqual({ limit: 10, periodMs: 1000 });
    expect(parseRate('1000/hour')).toEqual({ limit: 1000, periodMs: 3_600_000 });
    expect(parseRate('20/30s')).toEqual({ limit: 20, periodMs: 30_000 });
  });

  it('rejects zero, fractions and unknown periods', () => {
    for (const bad of ['0/minute', '1.5/minute', '10/fortnight', '10', 'ten/second']) {
      expect(() => parseRate(bad)).toThrow(/is not a rate/);
    }
  });
});
