/** What one health check found. */
export interface HealthResult {
  /** `up`; `degraded` (still serving, e.g. a replica down, a breaker open); `down` (cannot serve). */
  status: 'up' | 'degraded' | 'down';
  /** Facts for operators: lag, which node, the error message. Never secrets. */
  detail?: Record<string, unknown>;
}

/**
 * A readiness check. Any provider with a `checkHealth()` method is one: Fleet finds them at boot
 * and runs them for `GET /health/ready`, each under a timeout, all at once.
 *
 * ```ts
 * @Injectable()
 * export class PaymentsHealth implements HealthIndicator {
 *   readonly healthName = 'payments';
 *   async checkHealth(signal: AbortSignal) { return { status: 'up' } as const; }
 * }
 * ```
 */
export interface HealthIndicator {
  /** Name in the report. @default the class name */
  readonly healthName?: string;
  /** `down` makes readiness fail (503) when the check is critical. @default true */
  readonly healthCritical?: boolean;
  checkHealth(signal: AbortSignal): Promise<HealthResult> | HealthResult;
}

export function isHealthIndicator(x: unknown): x is HealthIndicator {
  return typeof x === 'object' && x !== null && typeof (x as HealthIndicator).checkHealth === 'function';
}
