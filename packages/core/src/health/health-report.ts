import type { HealthIndicator, HealthResult } from './indicator.js';

export interface CheckReport extends HealthResult {
  latencyMs: number;
}

export interface HealthReport {
  status: 'up' | 'degraded' | 'down';
  checks: Record<string, CheckReport>;
}

/**
 * Runs every indicator at once, each under `timeoutMs` (a hanging check reports `down` with
 * "timed out" instead of hanging the probe). A critical `down` makes the whole report `down`;
 * anything else not `up` makes it `degraded`.
 */
export async function runChecks(indicators: HealthIndicator[], timeoutMs: number): Promise<HealthReport> {
  const entries = await Promise.all(indicators.map(async (indicator) => {
    const name = indicator.healthName ?? indicator.constructor.name;
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HealthResult>((resolve) => {
      timer = setTimeout(() => { controller.abort(); resolve({ status: 'down', detail: { error: `timed out after ${timeoutMs} ms` } }); }, timeoutMs);
      timer.unref();
    });
    let result: HealthResult;
    try {
      result = await Promise.race([Promise.resolve(indicator.checkHealth(controller.signal)), timeout]);
    } catch (error) {
      result = { status: 'down', detail: { error: (error as Error)?.message ?? String(error) } };
    } finally {
      clearTimeout(timer);
    }
    const critical = indicator.healthCritical !== false;
    return [name, { ...result, latencyMs: Math.round((performance.now() - started) * 10) / 10 }, critical] as const;
  }));
  let status: HealthReport['status'] = 'up';
  const checks: Record<string, CheckReport> = {};
  for (const [name, report, critical] of entries) {
    checks[name] = report;
    if (report.status === 'down' && critical) status = 'down';
    else if (report.status !== 'up' && status === 'up') status = 'degraded';
  }
  return { status, checks };
}
