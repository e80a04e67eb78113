import { cachingWithTtl, databasePooled, filesInObjectStorage, heavyTasksQueued, sessionsExternal, stateless } from './checklist-data.js';
import { circuitBreakers, gracefulShutdown, healthChecks, rateLimiting } from './checklist-http.js';
import type { ChecklistItem, Finding } from './report.js';
import type { RuleContext } from './rule-context.js';

/** The horizontal-scaling checklist, each item judged from the source and the findings. */
export function checklist(ctx: RuleContext, findings: readonly Finding[]): ChecklistItem[] {
  return [
    stateless(findings),
    sessionsExternal(ctx, findings),
    filesInObjectStorage(ctx, findings),
    databasePooled(ctx, findings),
    heavyTasksQueued(ctx, findings),
    cachingWithTtl(ctx, findings),
    rateLimiting(ctx),
    circuitBreakers(ctx),
    healthChecks(ctx),
    gracefulShutdown(ctx),
  ];
}
