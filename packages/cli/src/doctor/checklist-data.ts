import ts from 'typescript';
import { at, memberName } from './ast.js';
import { unwrap } from './imports.js';
import { CHECKLIST, type ChecklistId, type ChecklistItem, type Finding, type RuleId } from './report.js';
import type { RuleContext } from './rule-context.js';
import { findDatabaseClients } from './rules/database-clients.js';
import { stateFix } from './state-fix.js';

const STATE_RULES: readonly RuleId[] = ['state/module-mutable', 'state/module-collection', 'state/static-field', 'state/private-field', 'state/provider-field', 'state/field-assigned', 'timers/in-process'];

export function item(id: ChecklistId, status: ChecklistItem['status'], reason: string, evidence: string[] = []): ChecklistItem {
  return { id, title: CHECKLIST[id], status, reason, at: [...new Set(evidence)] };
}

function errorsOf(findings: readonly Finding[], rules: readonly RuleId[]): Finding[] {
  return findings.filter((f) => f.severity === 'error' && rules.includes(f.rule));
}

export const where = (f: Finding) => `${f.file}:${f.line}`;

export function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `a, b and 2 more` */
export function list(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function stateless(findings: readonly Finding[]): ChecklistItem {
  const bad = errorsOf(findings, STATE_RULES);
  if (bad.length > 0) {
    const byRule = STATE_RULES.map((r) => [r, bad.filter((f) => f.rule === r).length] as const).filter(([, n]) => n > 0).map(([r, n]) => `${r} x${n}`);
    return item('stateless', 'failed', `${count(bad.length, 'place')} ${bad.length === 1 ? 'keeps' : 'keep'} state in the instance (${byRule.join(', ')}): see the findings above.`, bad.map(where));
  }
  const optOuts = findings.filter((f) => f.rule === 'state/allow-state');
  return item('stateless', 'passed', 'no module-level, static, #private or provider-field state changed by request code, and no in-process timer' +
    (optOuts.length ? `; ${count(optOuts.length, 'opt-out')} with @AllowState, listed under state/allow-state.` : '.'), optOuts.map(where));
}

const SESSION_ROUTE = /\/(login|logout|log-in|log-out|signin|sign-in|signout|sign-out|sessions?)(\/|$)/i;
const TOKEN_PACKAGES = ['@fastify/secure-session', '@fastify/jwt', 'jsonwebtoken', 'jose'];

export function sessionsExternal(ctx: RuleContext, findings: readonly Finding[]): ChecklistItem {
  const inMemory = errorsOf(findings, STATE_RULES).filter((f) => f.fix === stateFix('session'));
  if (inMemory.length > 0) return item('sessions-external', 'failed', `session data is kept in the instance's memory (${list(inMemory.map(where))}): a user is logged out whenever the next request reaches another instance.`, inMemory.map(where));
  const sessions = ['Sessions', 'SessionsModule'].flatMap((n) => ctx.facts.fleetImports.get(n) ?? []);
  if (sessions.length > 0) return item('sessions-external', 'passed', 'sessions are kept in Redis through Sessions (@fleet/core).', sessions.map((n) => at(n, ctx.app.shown)));
  const token = TOKEN_PACKAGES.find((p) => ctx.facts.packages.has(p));
  if (token) return item('sessions-external', 'passed', `sessions are signed tokens held by the client (${token}): no instance keeps them.`, ctx.facts.packages.get(token)!.map((n) => at(n, ctx.app.shown)));
  const routes = ctx.facts.routes.filter((r) => SESSION_ROUTE.test(r.path));
  if (routes.length > 0) {
    return item('sessions-external', 'failed', `${list(routes.map((r) => `${r.method} ${r.path}`))} ${routes.length === 1 ? 'handles' : 'handle'} logins, but the app keeps sessions in no shared store: use Sessions from @fleet/core (Redis).`, routes.map((r) => at(r.node, ctx.app.shown)));
  }
  return item('sessions-external', 'not-applicable', 'no session code (no Sessions, no session state, no login or logout routes).');
}

const OBJECT_STORAGE = ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'aws-sdk', '@google-cloud/storage', '@azure/storage-blob', 'minio'];

export function filesInObjectStorage(ctx: RuleContext, findings: readonly Finding[]): ChecklistItem {
  const writes = errorsOf(findings, ['disk/write-in-request']);
  if (writes.length > 0) return item('files-object-storage', 'failed', `request code writes files to local disk in ${count(writes.length, 'place')}: another instance cannot read them, and they are lost with the instance.`, writes.map(where));
  const storage = OBJECT_STORAGE.find((p) => ctx.facts.packages.has(p));
  if (storage) return item('files-object-storage', 'passed', `files go to object storage (${storage}), and request code writes nothing to local disk.`, ctx.facts.packages.get(storage)!.map((n) => at(n, ctx.app.shown)));
  return item('files-object-storage', 'not-applicable', 'the app stores no files (request code writes nothing to disk, and no object-storage client is used).');
}

const POOLING_LIBRARIES = ['knex', '@prisma/client', 'typeorm', 'sequelize', 'drizzle-orm', 'kysely', 'mongoose'];

export function databasePooled(ctx: RuleContext, findings: readonly Finding[]): ChecklistItem {
  const bad = errorsOf(findings, ['db/unpooled-client']);
  if (bad.length > 0) return item('db-pooled', 'failed', `${count(bad.length, 'connection')} opened per request or not pooled: see db/unpooled-client above.`, bad.map(where));
  const fleet = ['DatabaseModule', 'Database'].flatMap((n) => ctx.facts.fleetImports.get(n) ?? []);
  if (fleet.length > 0) return item('db-pooled', 'passed', 'PostgreSQL is reached through DatabaseModule (@fleet/core): one pool per instance, built at boot and closed at shutdown.', fleet.map((n) => at(n, ctx.app.shown)));
  const pools = findDatabaseClients(ctx).filter((c) => !c.kind.single && c.context.runs !== 'request' && !/Redis|redis/.test(c.kind.label));
  if (pools.length > 0) return item('db-pooled', 'passed', `connections come from ${list([...new Set(pools.map((p) => p.kind.label))])}, created once (not per request).`, pools.map((p) => at(p.node, ctx.app.shown)));
  const library = POOLING_LIBRARIES.find((p) => ctx.facts.packages.has(p));
  if (library) return item('db-pooled', 'passed', `database access goes through ${library}, which pools connections, and no client is created per request.`, ctx.facts.packages.get(library)!.map((n) => at(n, ctx.app.shown)));
  return item('db-pooled', 'not-applicable', 'no database client found (DatabaseModule, pg, mysql, MongoDB or an ORM).');
}

const QUEUE_PACKAGES = ['bullmq', 'bull', 'bee-queue', 'pg-boss', 'amqplib', 'kafkajs', '@aws-sdk/client-sqs'];

export function heavyTasksQueued(ctx: RuleContext, findings: readonly Finding[]): ChecklistItem {
  const bad = errorsOf(findings, ['jobs/heavy-in-request']);
  if (bad.length > 0) return item('heavy-tasks-queued', 'failed', `request code does heavy work in ${count(bad.length, 'place')} instead of queueing it: see jobs/heavy-in-request above.`, bad.map(where));
  const queued = ctx.facts.decorators.filter((d) => d.name === 'Async');
  if (queued.length > 0) return item('heavy-tasks-queued', 'passed', `work is queued with @Async (${list(queued.map((d) => `${d.cls.name?.text}.${d.member ? memberName(d.member as ts.MethodDeclaration) : ''}`))}).`, queued.map((d) => at(d.node, ctx.app.shown)));
  const fleetQueue = ['JobsModule', 'Jobs', 'Queue'].flatMap((n) => ctx.facts.fleetImports.get(n) ?? []);
  const library = QUEUE_PACKAGES.find((p) => ctx.facts.packages.has(p));
  if (fleetQueue.length > 0 || library) {
    return item('heavy-tasks-queued', 'passed', `work is queued (${fleetQueue.length > 0 ? 'Fleet jobs' : library}), and no heavy work was found in request code.`,
      [...fleetQueue, ...(library ? ctx.facts.packages.get(library)! : [])].map((n) => at(n, ctx.app.shown)));
  }
  return item('heavy-tasks-queued', 'not-applicable', 'no heavy work found in request code (child processes, blocking crypto or zlib, headless browsers, PDF rendering, e-mail delivery), and no queue is used.');
}

export function cachingWithTtl(ctx: RuleContext, findings: readonly Finding[]): ChecklistItem {
  const local = errorsOf(findings, STATE_RULES).filter((f) => f.fix === stateFix('cache'));
  if (local.length > 0) return item('caching-ttl', 'failed', `${count(local.length, 'in-process cache')} without a TTL that only one instance sees: use @Cached({ ttl }).`, local.map(where));
  const cached = ctx.facts.decorators.filter((d) => d.name === 'Cached');
  const name = (d: (typeof cached)[number]) => `${d.cls.name?.text ?? '?'}.${d.member ? memberName(d.member as ts.MethodDeclaration) : ''}`;
  const noTtl = cached.filter((d) => !hasTtl(d.args[0]));
  if (noTtl.length > 0) return item('caching-ttl', 'failed', `@Cached without a ttl on ${list(noTtl.map(name))}: entries would live until evicted.`, noTtl.map((d) => at(d.node, ctx.app.shown)));
  if (cached.length > 0) return item('caching-ttl', 'passed', `@Cached with a ttl on ${list(cached.map(name))}.`, cached.map((d) => at(d.node, ctx.app.shown)));
  return item('caching-ttl', 'not-applicable', 'the app caches nothing (no @Cached, no in-process cache).');
}

/** `@Cached({ ttl: '5m' })` or `@Cached('5m')`. */
function hasTtl(arg: ts.Expression | undefined): boolean {
  if (!arg) return false;
  const a = unwrap(arg);
  if (!ts.isObjectLiteralExpression(a)) return true;
  return a.properties.some((p) => /^ttl/i.test(memberName(p as ts.PropertyAssignment) ?? ''));
}
