import ts from 'typescript';
import { at, memberName } from './ast.js';
import type { CreateAppCall } from './app-facts.js';
import { count, item, list } from './checklist-data.js';
import { unwrap } from './imports.js';
import type { ChecklistItem } from './report.js';
import type { RuleContext } from './rule-context.js';
import { findExternalCalls } from './rules/external-calls.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function rateLimiting(ctx: RuleContext): ChecklistItem {
  const limits = ctx.facts.decorators.filter((d) => d.name === 'RateLimit');
  if (limits.length > 0) {
    const names = limits.map((d) => d.member ? `${d.cls.name?.text}.${memberName(d.member as ts.MethodDeclaration)}` : `${d.cls.name?.text} (every route)`);
    return item('rate-limiting', 'passed', `@RateLimit on ${list(names)}: fleet-wide counters in Redis.`, limits.map((d) => at(d.node, ctx.app.shown)));
  }
  const plugin = ctx.facts.packages.get('@fastify/rate-limit');
  if (plugin) return item('rate-limiting', 'passed', 'requests are limited by @fastify/rate-limit (give it a Redis store, or each instance counts on its own).', plugin.map((n) => at(n, ctx.app.shown)));
  const writes = ctx.facts.routes.filter((r) => !READ_METHODS.has(r.method));
  if (writes.length > 0) {
    return item('rate-limiting', 'failed', `no rate limit, yet ${list(writes.map((r) => `${r.method} ${r.path}`))} ${writes.length === 1 ? 'changes state and anyone may call it' : 'change state and anyone may call them'} as fast as they like: add @RateLimit (fleet-wide, in Redis).`,
      writes.map((r) => at(r.node, ctx.app.shown)));
  }
  if (ctx.facts.routes.length > 0) return item('rate-limiting', 'not-applicable', `only read routes (${count(ctx.facts.routes.length, 'route')}, GET/HEAD), so no state-changing route to protect; consider @RateLimit on expensive reads.`);
  return item('rate-limiting', 'not-applicable', 'the app has no HTTP routes.');
}

export function circuitBreakers(ctx: RuleContext): ChecklistItem {
  const calls = findExternalCalls(ctx);
  const open = calls.filter((c) => !c.guarded);
  if (open.length > 0) return item('circuit-breakers', 'failed', `${count(open.length, 'call')} to other services without @CircuitBreaker: see resilience/no-circuit-breaker above.`, open.map((c) => at(c.node, ctx.app.shown)));
  if (calls.length > 0) return item('circuit-breakers', 'passed', `${count(calls.length, 'call')} to other services, each in a method with @CircuitBreaker.`, calls.map((c) => at(c.node, ctx.app.shown)));
  return item('circuit-breakers', 'not-applicable', 'request code calls no other service (fetch, undici, axios, got, http.request).');
}

const HEALTH_PATH = /^\/(health|healthz|ready|readyz|readiness|live|livez|liveness|ping)(\/|$)/i;

export function healthChecks(ctx: RuleContext): ChecklistItem {
  const module = ctx.facts.fleetImports.get('HealthModule');
  if (module) return item('health-checks', 'passed', 'HealthModule (@fleet/core) serves the probes.', module.map((n) => at(n, ctx.app.shown)));
  const builtIn = ctx.facts.createAppCalls.filter((c) => c.accepts?.has('health'));
  const enabled = builtIn.filter((c) => !optionIsFalse(c, 'health'));
  if (enabled.length > 0) {
    return item('health-checks', 'passed', 'createApp serves /health/live, /health/ready and /health/startup (readiness runs the app\'s health indicators).', enabled.map((c) => at(c.node, ctx.app.shown)));
  }
  const own = ctx.facts.routes.filter((r) => HEALTH_PATH.test(r.path) && r.method === 'GET');
  if (own.length > 0) return item('health-checks', 'passed', `the app serves ${list(own.map((r) => `GET ${r.path}`))}.`, own.map((r) => at(r.node, ctx.app.shown)));
  if (ctx.facts.routes.length === 0 && ctx.facts.createAppCalls.length === 0) return item('health-checks', 'not-applicable', 'not an HTTP service (no routes, no createApp).');
  const disabled = builtIn.length > 0 ? ' createApp is called with health: false.' : '';
  const unresolved = ctx.facts.createAppCalls.some((c) => c.accepts === undefined) ? ' (The types of @fleet/core did not resolve, so its built-in probes could not be checked: install the app\'s dependencies.)' : '';
  return item('health-checks', 'failed', `no health endpoint: an orchestrator or load balancer cannot tell a broken or starting instance from a ready one.${disabled} Serve /health/live and /health/ready.${unresolved}`,
    ctx.facts.createAppCalls.map((c) => at(c.node, ctx.app.shown)));
}

export function gracefulShutdown(ctx: RuleContext): ChecklistItem {
  const handlers = ctx.facts.signalHandlers.filter((h) => h.signals.includes('SIGTERM'));
  const framework = ctx.facts.createAppCalls.filter((c) => c.accepts?.has('shutdown') && !signalsOff(c));
  const evidence = [...framework.map((c) => at(c.node, ctx.app.shown)), ...handlers.map((h) => at(h.node, ctx.app.shown))];
  const exiting = handlers.filter((h) => !h.closesApp);
  if (exiting.length > 0) {
    return item('graceful-shutdown', 'failed', `the SIGTERM handler at ${list(exiting.map((h) => at(h.node, ctx.app.shown)))} does not close the app: in-flight requests are cut and onShutdown hooks do not run.`, evidence);
  }
  if (framework.length > 0 && handlers.length > 0) {
    return item('graceful-shutdown', 'failed', `SIGTERM is handled twice: by createApp (listen() installs the graceful sequence) and by ${list(handlers.map((h) => at(h.node, ctx.app.shown)))}, which races it. Remove your handler, or pass shutdown: { signals: false } to keep it.`, evidence);
  }
  if (framework.length > 0) {
    return item('graceful-shutdown', 'passed', 'createApp handles SIGTERM and SIGINT when the app listens: readiness 503, drain, in-flight requests finish, onShutdown hooks run, within a deadline.', evidence);
  }
  if (handlers.length > 0) return item('graceful-shutdown', 'passed', `SIGTERM is handled at ${list(handlers.map((h) => at(h.node, ctx.app.shown)))}, which closes the app (in-flight requests finish, onShutdown hooks run).`, evidence);
  if (ctx.facts.createAppCalls.length === 0) return item('graceful-shutdown', 'not-applicable', 'no entry point (the source never calls createApp).');
  const unresolved = ctx.facts.createAppCalls.some((c) => c.accepts === undefined) ? ' (The types of @fleet/core did not resolve, so its built-in handling could not be checked: install the app\'s dependencies.)' : '';
  return item('graceful-shutdown', 'failed', `nothing handles SIGTERM: a deploy or scale-in kills the process mid-request.${unresolved}`, ctx.facts.createAppCalls.map((c) => at(c.node, ctx.app.shown)));
}

/** `createApp(M, { health: false })` */
function optionIsFalse(call: CreateAppCall, name: string): boolean {
  const p = call.options?.properties.find((q) => ts.isPropertyAssignment(q) && memberName(q) === name) as ts.PropertyAssignment | undefined;
  return p !== undefined && unwrap(p.initializer).kind === ts.SyntaxKind.FalseKeyword;
}

/** `createApp(M, { shutdown: { signals: false } })` */
function signalsOff(call: CreateAppCall): boolean {
  const p = call.options?.properties.find((q) => ts.isPropertyAssignment(q) && memberName(q) === 'shutdown') as ts.PropertyAssignment | undefined;
  const value = p && unwrap(p.initializer);
  if (!value || !ts.isObjectLiteralExpression(value)) return false;
  const signals = value.properties.find((q) => ts.isPropertyAssignment(q) && memberName(q) === 'signals') as ts.PropertyAssignment | undefined;
  return signals !== undefined && unwrap(signals.initializer).kind === ts.SyntaxKind.FalseKeyword;
}
