/**
 * Without an OpenTelemetry SDK at boot, Fleet compiles no span code into decorated methods, the
 * cache or the query path: an SDK registered afterwards sees none of their spans. (An app booted
 * after the SDK, in the same process, does: the check below could fail.)
 */
import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Cache, CacheModule, Cached, CircuitBreaker, Database, DatabaseModule, Injectable, Module, RedisModule, Repository, createApp, fleetTracer, sql, type FleetApp,
} from '@fleet/core';
import { deleteKeys } from '@fleet/testing';

@Injectable()
class Clock2 extends Repository {
  @CircuitBreaker()
  async now() { return this.read.one<{ one: number }>(sql`select 1 as one`); }
  @Cached('1m')
  async cached(n: number) { return { n }; }
  inTransaction() { return this.transaction((tx) => tx.one(sql`select 2 as two`)); }
}

@Module({ imports: [RedisModule, CacheModule, DatabaseModule], providers: [Clock2] })
class AppModule {}

const prefix = `test:${randomUUID()}:`;
const env = { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_REPLICA_URLS: '', REDIS_KEY_PREFIX: prefix, FLEET_APP: 'oteloff' };
const exporter = new InMemorySpanExporter();

/** Calls every instrumented path inside one outer span; returns the names of the spans finished. */
async function exercise(app: FleetApp): Promise<string[]> {
  exporter.reset();
  const repo = app.get(Clock2);
  await fleetTracer().startActiveSpan('outer', async (span) => {
    await repo.now();
    await repo.cached(1);
    await repo.inTransaction();
    await app.get(Cache).wrap('k', () => 1, { ttl: '1m' });
    await app.get(Database).write.execute(sql`select 3`);
    span.end();
  });
  return exporter.getFinishedSpans().map((s) => s.name);
}

describe('OpenTelemetry off at boot', () => {
  const apps: FleetApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await deleteKeys('redis://127.0.0.1:6379', prefix);
    trace.disable();
    context.disable();
  });

  it('an app booted without an SDK never creates method, cache or query spans, even once one is registered', async () => {
    const before = await createApp(AppModule, { logger: false, env });
    apps.push(before);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    expect(await exercise(before)).toEqual(['outer']);

    const after = await createApp(AppModule, { logger: false, env: { ...env, FLEET_APP: 'otelon' } });
    apps.push(after);
    expect(await exercise(after)).toEqual(expect.arrayContaining(['Clock2.now', 'SELECT', 'Clock2.cached', 'fleet.cache.load', 'db.transaction', 'BEGIN', 'COMMIT', 'Cache.wrap', 'outer']));
  });
});
