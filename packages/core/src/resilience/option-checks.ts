import { FleetError } from '../errors.js';
import { parseDuration, type Duration } from '../time/duration.js';

/** Validates a decorator's options at decoration time; problems are reported together at boot. @internal */
export class OptionChecks {
  constructor(private readonly where: string) {}

  fail(message: string): never {
    throw new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS', `${this.where}: ${message}`);
  }

  duration(field: string, value: Duration | undefined, fallback: Duration, min = 0): number {
    const ms = parseDuration(value ?? fallback, `${this.where}: ${field}`);
    if (ms < min) this.fail(`${field} must be at least ${min} ms; got ${JSON.stringify(value)}.`);
    return ms;
  }

  int(field: string, value: number | undefined, fallback: number, min: number): number {
    const n = value ?? fallback;
    if (!Number.isInteger(n) || n < min) this.fail(`${field} must be an integer >= ${min}; got ${JSON.stringify(value)}.`);
    return n;
  }

  fraction(field: string, value: number | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!(typeof value === 'number' && value > 0 && value <= 1)) this.fail(`${field} must be a fraction in (0, 1], e.g. 0.5 for 50%; got ${JSON.stringify(value)}.`);
    return value;
  }

  oneOf<T extends string>(field: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
    const v = value ?? fallback;
    if (!allowed.includes(v)) this.fail(`${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}.`);
    return v;
  }

  fn<F>(field: string, value: F | undefined): F | undefined {
    if (value !== undefined && typeof value !== 'function') this.fail(`${field} must be a function; got ${typeof value}.`);
    return value;
  }

  name(field: string, value: string | undefined, fallback: string): string {
    const v = value ?? fallback;
    if (typeof v !== 'string' || !/^[\w.:-]{1,200}$/.test(v)) this.fail(`${field} must be 1-200 characters of letters, digits, '_', '.', ':' or '-'; got ${JSON.stringify(value)}.`);
    return v;
  }
}

export function methodName(prototype: object, method: string | symbol): string {
  return `${(prototype.constructor as Function).name}.${String(method)}`;
}
