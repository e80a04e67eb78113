/**
 * Issue #8: the spans of one request form one tree (server span -> decorated method spans ->
 * cache attributes and the cache load -> query spans naming the node that served them), on a
 * real primary, replica and Redis, with the SDK's in-memory exporter.
 */
import { randomUUID } from 'node:crypto';
import { metrics, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Body, CacheModule, Cached, CircuitBreaker, Controller, Database, DatabaseModule, Get, Injectable, Module, Param, Post, RedisModule, Repository, Retry, sql,
} from '@fleet/core';
import { createTestApp, type Spans, type TestApp } from '@fleet/testing';
import { PRIMARY_PORT, REPLICA_PORT, admin, createSchema, dbEnv, until } from './data/helpers.js';

const Order = z.object({ id: z.number(), item: z.string() });
const Id = z.coerce.number().int();

@Injectable()
class OrdersRepository extends Repository {
  @CircuitBreaker({ failureThreshold: 50, recoveryTimeout: '1m' })
  async find(id: number) { return this.read.maybeOne(sql`select id, item from orders where id = ${id}`, Order); }
  add(id: number, item: string) { return this.write.one(sql`insert into orders (id, item) values (${id}, ${item}) returning id, item`, Order); }
  addInTransaction(id: number, item: string, fail: boolean) {
    return this.transaction(async (tx) => {
      await tx.execute(sql`insert into orders (id, item) values (${id}, ${item})`);
      const row = await tx.one(sql`select id, item from orders where id = ${id}`, Order);
      if (fail) throw new Error('changed my mind');
      return row;
    });
  }
}

@Injectable()
class OrdersService {
  constructor(private readonly repo: OrdersRepository) {}
  @Cached('1m')
  async find(id: number) { return this.repo.find(id); }
}

@Injectable()
class Pricing {
  @Retry({ maxAttempts: 2, base: 1, jitter: 'none' })
  @CircuitBreaker({ failureThreshold: 50, recoveryTimeout: '1m' })
  async quote(id: number) { return { cents: id * 100 }; }
}

@Controller('/orders')
class OrdersController {
  constructor(private readonly orders: OrdersService, private readonly repo: OrdersRepository, private readonly pricing: Pricing) {}

  @Get('/:id')
  async show(@Param('id', Id) id: number) {
    const order = await this.orders.find(id);
    return { order, price: await this.pricing.quote(id) };
  }

  /** A write, then a read of it in the same request: read-your-writes sends the read to the primary. */
  @Post('/:id')
  async create(@Param('id', Id) id: number, @Body(z.object({ item: z.string() })) body: { item: string }) {
    await this.repo.add(id, body.item);
    return { order: await this.repo.find(id) };
  }

  @Post('/:id/tx')
  async inTransaction(@Param('id', Id) id: number, @Body(z.object({ item: z.string(), fail: z.boolean() })) body: { item: string; fail: boolean }) {
    return { order: await this.repo.addInTransaction(id, body.item, body.fail) };
  }
}

@Module({ imports: [RedisModule, CacheModule, DatabaseModule], providers: [OrdersRepository, OrdersService, Pricing], controllers: [OrdersController] })
class AppModule {}

const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 600_000 });

/** Every span of the trace `root` belongs to, and helpers over it. */
function traceOf(spans: Spans, root: ReadableSpan) {
  const traceId = root.spanContext().traceId;
  const all = spans.all().filter((s) => s.spanContext().traceId === traceId);
  const parentOf = (s: ReadableSpan) => all.find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);
  const named = (name: string) => {
    const found = all.filter((s) => s.name === name);
    if (found.length !== 1) throw new Error(`expected one span ${name} in the trace, found ${found.length}: ${all.map((s) => s.name).join(', ')}`);
    return found[0]!;
  };
  return { all, parentOf, named };
}

describe('one trace per request: server -> decorated methods -> cache -> queries (real primary, replica, Redis)', () => {
  let t: TestApp;
  let spans: Spans;
  let schema: { schema: string; drop: () => Promise<void> };

  beforeAll(async () => {
    // The shared replica (5433) is never paused or stopped by a test (those use the fault replica on 5434).
    schema = await createSchema();
    await admin(PRIMARY_PORT, `create table ${schema.schema}.orders (id int primary key, item text not null); insert into ${schema.schema}.orders values (1, 'tea')`);
    await until(async () => (await admin(REPLICA_PORT, `select 1 from ${schema.schema}.orders where id = 1`).catch(() => ({ rowCount: 0 }))).rowCount === 1);
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    t = await createTestApp(AppModule, {
      spans: true,
      // No periodic probe between a write and the read after it: the replica's known position stays behind the write.
      env: { ...process.env, ...dbEnv(schema.schema, { DATABASE_PROBE_INTERVAL_MS: '60000' }), REDIS_KEY_PREFIX: `test:${randomUUID()}:` },
    });
    spans = t.spans!;
    await until(() => t.get(Database).health().replicas[0]?.state === 'up');
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await schema?.drop();
    metrics.disable();
  });

  it('a cached read on the replica and a breaker call: one trace with the right parents and attributes', async () => {
    spans.reset();
    await t.request().get('/orders/1').set('x-request-id', 'tree-1').expect(200, { order: { id: 1, item: 'tea' }, price: { cents: 100 } });
    const server = spans.one('GET /orders/:id');
    const tree = traceOf(spans, server);

    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.attributes).toMatchObject({ 'http.route': '/orders/:id', 'http.response.status_code': 200, 'fleet.request_id': 'tree-1' });

    const find = tree.named('OrdersService.find');
    expect(tree.parentOf(find)).toBe(server);
    expect(find.kind).toBe(SpanKind.INTERNAL);
    expect(find.attributes).toMatchObject({ 'code.function.name': 'OrdersService.find', 'fleet.cache.name': 'OrdersService.find', 'fleet.cache.result': 'miss' });
    const keyHash = find.attributes['fleet.cache.key_hash'];
    expect(keyHash).toMatch(/^[0-9a-f]{16}$/);

    const load = tree.named('fleet.cache.load');
    expect(tree.parentOf(load)).toBe(find);
    expect(load.attributes).toMatchObject({ 'fleet.cache.name': 'OrdersService.find', 'fleet.cache.key_hash': keyHash });

    const repoFind = tree.named('OrdersRepository.find');
    expect(tree.parentOf(repoFind)).toBe(load);
    expect(repoFind.attributes).toMatchObject({ 'code.function.name': 'OrdersRepository.find', 'fleet.breaker.name': 'OrdersRepository.find', 'fleet.breaker.state': 'closed' });

    const query = tree.named('SELECT orders');
    expect(tree.parentOf(query)).toBe(repoFind);
    expect(query.kind).toBe(SpanKind.CLIENT);
    expect(query.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': 'test',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'orders',
      'db.query.text': 'select id, item from orders where id = $1',
      'server.address': '127.0.0.1',
      'server.port': REPLICA_PORT,
      'fleet.db.node': 'replica-1',
      'fleet.db.route_reason': 'read',
      'db.response.returned_rows': 1,
    });
    expect(query.status.code).toBe(SpanStatusCode.UNSET);

    const quote = tree.named('Pricing.quote');
    expect(tree.parentOf(quote)).toBe(server);
    expect(quote.attributes).toMatchObject({ 'code.function.name': 'Pricing.quote', 'fleet.breaker.name': 'Pricing.quote', 'fleet.breaker.state': 'closed' });
    // Every span of the request is in this one trace, and nothing else is.
    expect(tree.all.map((s) => s.name).sort()).toEqual(['GET /orders/:id', 'OrdersRepository.find', 'OrdersService.find', 'Pricing.quote', 'SELECT orders', 'fleet.cache.load']);
  });

  it('an L1 hit on the next request: the method span says l1, with the same key hash, and there is no load or query span', async () => {
    spans.reset();
    await t.request().get('/orders/1').expect(200);
    const tree = traceOf(spans, spans.one('GET /orders/:id'));
    const find = tree.named('OrdersService.find');
    expect(find.attributes).toMatchObject({ 'fleet.cache.result': 'l1', 'fleet.cache.name': 'OrdersService.find' });
    expect(tree.all.map((s) => s.name).sort()).toEqual(['GET /orders/:id', 'OrdersService.find', 'Pricing.quote']);
  });

  it('a write then a read in one request: INSERT on the primary (write), the WAL position, then the read on the primary (read-your-writes)', async () => {
    spans.reset();
    await t.request().post('/orders/2').send({ item: 'jam' }).expect(200, { order: { id: 2, item: 'jam' } });
    const server = spans.one('POST /orders/:id');
    const tree = traceOf(spans, server);
    const insert = tree.named('INSERT orders');
    expect(tree.parentOf(insert)).toBe(server);
    expect(insert.attributes).toMatchObject({
      'db.operation.name': 'INSERT', 'db.query.text': 'insert into orders (id, item) values ($1, $2) returning id, item',
      'fleet.db.node': 'primary', 'fleet.db.route_reason': 'write', 'server.port': PRIMARY_PORT,
    });
    expect(JSON.stringify(insert.attributes)).not.toContain('jam');
    const position = tree.all.find((s) => s.attributes['fleet.db.route_reason'] === 'wal-position')!;
    expect(position.attributes).toMatchObject({ 'fleet.db.node': 'primary', 'db.operation.name': 'SELECT' });
    const read = tree.named('SELECT orders');
    expect(tree.parentOf(read)).toBe(tree.named('OrdersRepository.find'));
    expect(read.attributes).toMatchObject({ 'fleet.db.node': 'primary', 'fleet.db.route_reason': 'read-your-writes', 'server.port': PRIMARY_PORT });
    // In order: the write, its position, the read.
    expect([insert, position, read].map((s) => s.startTime[0] * 1e9 + s.startTime[1])).toEqual([insert, position, read].map((s) => s.startTime[0] * 1e9 + s.startTime[1]).sort((a, b) => a - b));
  });

  it('a failing query: its span is an error with the Fleet code, the SQLSTATE and the exception, and the text has no values', async () => {
    spans.reset();
    await t.request().post('/orders/1').send({ item: 'secret-value' }).expect(500);
    const tree = traceOf(spans, spans.one('POST /orders/:id'));
    const insert = tree.named('INSERT orders');
    expect(insert.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'FLEET_ERR_DB_QUERY_FAILED' });
    expect(insert.attributes).toMatchObject({
      'fleet.db.node': 'primary', 'fleet.db.route_reason': 'write', 'db.response.status_code': '23505',
      'error.type': 'FLEET_ERR_DB_QUERY_FAILED', 'fleet.error.code': 'FLEET_ERR_DB_QUERY_FAILED',
    });
    const exception = insert.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes).toMatchObject({ 'exception.type': 'FLEET_ERR_DB_QUERY_FAILED' });
    expect(String(exception.attributes!['exception.message'])).toContain('SQLSTATE 23505');
    expect(JSON.stringify(insert.attributes)).not.toContain('secret-value');
    expect(tree.all.some((s) => s.attributes['fleet.db.route_reason'] === 'wal-position')).toBe(false);
  });

  it('a transaction: one db.transaction span, BEGIN..COMMIT and its queries as children on the primary; a rollback marks it an error', async () => {
    spans.reset();
    await t.request().post('/orders/3/tx').send({ item: 'milk', fail: false }).expect(200, { order: { id: 3, item: 'milk' } });
    let tree = traceOf(spans, spans.one('POST /orders/:id/tx'));
    const tx = tree.named('db.transaction');
    expect(tx.kind).toBe(SpanKind.CLIENT);
    expect(tx.attributes).toMatchObject({
      'db.system.name': 'postgresql', 'fleet.db.node': 'primary', 'fleet.db.route_reason': 'transaction',
      'fleet.db.transaction.isolation': 'read committed', 'fleet.db.transaction.outcome': 'commit',
    });
    const children = tree.all.filter((s) => tree.parentOf(s) === tx);
    expect(children.map((s) => s.name)).toEqual(['BEGIN', 'INSERT orders', 'SELECT orders', 'COMMIT']);
    for (const child of children) expect(child.attributes).toMatchObject({ 'fleet.db.node': 'primary', 'fleet.db.route_reason': 'transaction' });

    spans.reset();
    await t.request().post('/orders/4/tx').send({ item: 'oat', fail: true }).expect(500);
    tree = traceOf(spans, spans.one('POST /orders/:id/tx'));
    const rolledBack = tree.named('db.transaction');
    expect(rolledBack.attributes['fleet.db.transaction.outcome']).toBe('rollback');
    expect(rolledBack.status.code).toBe(SpanStatusCode.ERROR);
    expect(tree.all.filter((s) => tree.parentOf(s) === rolledBack).map((s) => s.name)).toEqual(['BEGIN', 'INSERT orders', 'SELECT orders', 'ROLLBACK']);
  });

  it('records db.client.operation.duration per node and route reason, and the pools\' connections', async () => {
    await reader.forceFlush();
    const all = metricExporter.getMetrics().at(-1)!.scopeMetrics.flatMap((s) => s.metrics);
    const points = (name: string) => (all.find((m) => m.descriptor.name === name)?.dataPoints ?? []) as Array<{ attributes: Record<string, unknown>; value: unknown }>;
    const durations = points('db.client.operation.duration');
    expect(all.find((m) => m.descriptor.name === 'db.client.operation.duration')?.descriptor.unit).toBe('s');
    expect(durations.some((p) => p.attributes['fleet.db.node'] === 'replica-1' && p.attributes['fleet.db.route_reason'] === 'read' && p.attributes['db.operation.name'] === 'SELECT')).toBe(true);
    expect(durations.some((p) => p.attributes['fleet.db.node'] === 'primary' && p.attributes['fleet.db.route_reason'] === 'read-your-writes')).toBe(true);
    expect(durations.some((p) => p.attributes['fleet.db.node'] === 'primary' && p.attributes['error.type'] === 'FLEET_ERR_DB_QUERY_FAILED')).toBe(true);
    const connections = points('db.client.connection.count');
    expect(connections.some((p) => p.attributes['db.client.connection.pool.name'] === 'primary' && p.attributes['db.client.connection.state'] === 'idle' && (p.value as number) >= 1)).toBe(true);
  });
});
