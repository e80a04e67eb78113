/**
 * Read-your-writes through the session: a write stores its WAL position in the user's session
 * (Redis), and a later request of that session on another instance reads at or beyond it, with
 * no token of its own. Real primary, real replica, real Redis; the replica is never paused:
 * instance B sees the replica through a fault proxy that delays its traffic, so B's prober
 * knows only an old replay position for as long as the delay lasts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Body, Controller, Database, DatabaseModule, Get, Injectable, Module, Param, Post, Put, RedisConnection, RedisModule, Repository, Req, Res,
  Sessions, SessionsModule, UnauthorizedError, sql,
} from '@fleet/core';
import { createTestFleet, type TestApp } from '@fleet/testing';
import { parseLsn } from '../../src/data/lsn.js';
import { PRIMARY_PORT, REPLICA_PORT, admin, until, url } from './helpers.js';

const Item = z.object({ id: z.number(), name: z.string() });
const Found = z.object({ port: z.number(), item: Item.nullable() });

@Injectable()
class ItemsRepository extends Repository {
  put(id: number, name: string) {
    return this.write.execute(sql`insert into items (id, name) values (${id}, ${name}) on conflict (id) do update set name = excluded.name`);
  }
  /** The item as the answering server has it, and which server answered. */
  find(id: number) {
    return this.read.one(sql`select inet_server_port() as port, (select row_to_json(i) from items i where i.id = ${id}) as item`, Found);
  }
}

type User = { user: string };

@Controller()
class AppController {
  constructor(private readonly sessions: Sessions, private readonly items: ItemsRepository, private readonly db: Database) {}

  @Post('/login')
  async login(@Body(z.object({ user: z.string() })) body: User, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const s = await this.sessions.start(req, reply, body);
    return reply.send({ position: s.position ?? null });
  }

  /** Writes, starts a session (which begins at that write), writes again (into the new session). */
  @Post('/signup/:id')
  async signup(@Param('id', z.coerce.number().int().positive()) id: number, @Body(z.object({ user: z.string() })) body: User, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.items.put(id, `${body.user} 1`);
    const s = await this.sessions.start(req, reply, body);
    await this.items.put(id, `${body.user} 2`);
    return reply.send({ position: s.position ?? null });
  }

  /** A write that never loads the session: the position still goes into it. */
  @Put('/items/:id')
  async put(@Param('id', z.coerce.number().int().positive()) id: number, @Body(z.object({ name: z.string() })) body: { name: string }) {
    await this.items.put(id, body.name);
    return { ok: true };
  }

  /** Loads the session first (as a handler acting for a user does), then reads. */
  @Get('/items/:id')
  async get(@Param('id', z.coerce.number().int().positive()) id: number, @Req() req: FastifyRequest) {
    const s = await this.sessions.get<User>(req);
    if (!s) throw new UnauthorizedError('not logged in');
    return this.items.find(id);
  }

  @Get('/position')
  async position(@Req() req: FastifyRequest) {
    const s = await this.sessions.get<User>(req);
    if (!s) throw new UnauthorizedError('not logged in');
    return { position: s.position ?? null, token: this.db.consistencyToken() ?? null };
  }

  /** Logs out, then writes in the same request: the write must not bring the position back. */
  @Post('/logout')
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const ended = await this.sessions.destroy(req, reply);
    await this.items.put(999, 'after logout');
    return reply.send({ ended });
  }
}

@Module({ imports: [RedisModule, SessionsModule, DatabaseModule], providers: [ItemsRepository], controllers: [AppController] })
class AppModule {}

const env = {
  DATABASE_URL: url(PRIMARY_PORT),
  DATABASE_REPLICA_URLS: url(REPLICA_PORT),
  DATABASE_PROBE_INTERVAL_MS: '200',
  DATABASE_POOL_SIZE: '4',
  FLEET_APP: 'session-ryw',
  SESSION_SECRET: 's'.repeat(40),
  // instance A's Redis link is slowed down in one test: commands must not time out meanwhile
  REDIS_COMMAND_TIMEOUT_MS: '10000',
};
/** Each direction of B's replica link is held this long: B's prober learns replay positions this late. */
const REPLICA_DELAY_MS = 600;
const sidOf = (res: { headers: Record<string, unknown> }) =>
  (res.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]!).find((c) => c.startsWith('fleet.sid='))!;
const lsn = (text: string | null | undefined) => parseLsn(text) ?? 0;

describe('read-your-writes across instances through the session (real primary, replica and Redis)', () => {
  let a: TestApp;
  let b: TestApp;
  let nextId = 1;

  beforeAll(async () => {
    [a, b] = await createTestFleet(AppModule, 2, { env, faultProxies: true });
    await admin(PRIMARY_PORT, `create table ${a.isolation.schema}.items (id int primary key, name text not null)`);
    // both instances read from the replica (it has replayed the table)
    await until(async () => {
      const found = await Promise.all([a, b].map((t) => t.get(Database).read.one(sql`select inet_server_port() as port, to_regclass('items') is not null as ready`)));
      return found.every((f) => f.port === REPLICA_PORT && f.ready === true);
    });
  });
  afterAll(async () => {
    a?.faults.clear();
    b?.faults.clear();
    await Promise.all([a?.close(), b?.close()]);
  });

  async function login(via: TestApp): Promise<string> {
    return sidOf(await via.request().post('/login').send({ user: 'ada' }).expect(200));
  }

  it('a write through A is read through B with only the session cookie: B routes to the primary while its replica is not known to have it', async () => {
    const sid = await login(a);
    const id = nextId++;
    b.faults.delay('postgres-replica', REPLICA_DELAY_MS);
    try {
      const put = await a.request().put(`/items/${id}`).set('cookie', sid).send({ name: 'fresh' }).expect(200);
      const written = put.headers['x-fleet-lsn'] as string;
      expect(written).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);

      // B, with the session cookie only (no x-fleet-lsn header, no fleet_lsn cookie)
      const read = await b.request().get(`/items/${id}`).set('cookie', sid).expect(200);
      expect(read.body).toEqual({ port: PRIMARY_PORT, item: { id, name: 'fresh' } });
      // the session holds the write's position, read through the public Sessions API on B
      const stored = (await b.request().get('/position').set('cookie', sid).expect(200)).body as { position: string; token: string };
      expect(lsn(stored.position)).toBeGreaterThanOrEqual(lsn(written));
      expect(stored.token).toBe(stored.position); // the request's read floor is the session's position
      // B's replica is still in rotation (a position skip, not an ejection): reads that need nothing use it
      expect(b.get(Database).health().replicas).toMatchObject([{ state: 'up' }]);
      expect((await b.get(Database).replica().one(sql`select inet_server_port() as port`)).port).toBe(REPLICA_PORT);
      // without the session's position, a read through B goes to the replica
      expect((await b.get(Database).read.one(sql`select inet_server_port() as port`)).port).toBe(REPLICA_PORT);
    } finally {
      b.faults.restore('postgres-replica');
    }
    // once B's prober has seen the replica replay the write, the session's reads use the replica again
    await until(async () => (await b.request().get(`/items/${id}`).set('cookie', sid).expect(200)).body.port === REPLICA_PORT);
    expect((await b.request().get(`/items/${id}`).set('cookie', sid).expect(200)).body.item).toEqual({ id, name: 'fresh' });
  });

  it('a session started by a request that wrote begins at that write, and later writes of that request go to the new session', async () => {
    const id = nextId++;
    const signup = await a.request().post(`/signup/${id}`).send({ user: 'grace' }).expect(200);
    const sid = sidOf(signup);
    const final = signup.headers['x-fleet-lsn'] as string;
    // start() stored the first write's position; the write after it raised it to the request's last one
    expect(lsn(signup.body.position)).toBeGreaterThan(0);
    expect(lsn(signup.body.position)).toBeLessThan(lsn(final));
    expect((await b.request().get('/position').set('cookie', sid).expect(200)).body.position).toBe(final);
    expect((await b.request().get(`/items/${id}`).set('cookie', sid).expect(200)).body.item).toEqual({ id, name: 'grace 2' });
  });

  it('an older position never overwrites a newer one, whatever order the writes reach Redis in', async () => {
    const sid = await login(a);
    const id = nextId++;
    a.faults.delay('redis', 1500);
    try {
      // A writes first, but its Redis link is slow: its position reaches Redis about 1.5 s later
      const first = lsn((await a.request().put(`/items/${id}`).set('cookie', sid).send({ name: 'one' }).expect(200)).headers['x-fleet-lsn'] as string);
      expect((await b.request().get('/position').set('cookie', sid).expect(200)).body.position).toBeNull(); // not there yet
      // B writes next and stores its (higher) position at once
      const second = lsn((await b.request().put(`/items/${id}`).set('cookie', sid).send({ name: 'two' }).expect(200)).headers['x-fleet-lsn'] as string);
      expect(second).toBeGreaterThan(first);
      expect(lsn((await b.request().get('/position').set('cookie', sid).expect(200)).body.position)).toBe(second);
      // a round trip through A's (FIFO) Redis link: A's older position has arrived by now, and was refused
      const viaA = await a.request().get('/position').set('cookie', sid).expect(200);
      expect(lsn(viaA.body.position)).toBe(second);
    } finally {
      a.faults.restore('redis');
    }
  });

  it('logout drops the position, and a write after logout in the same request does not bring it back', async () => {
    const sid = await login(a);
    await a.request().put(`/items/${nextId++}`).set('cookie', sid).send({ name: 'x' }).expect(200);
    const redis = a.get(RedisConnection);
    const id = sid.slice('fleet.sid='.length).split('.')[0]!;
    const positionKey = redis.key('sess', id, 'lsn');
    expect(await redis.client.exists(positionKey)).toBe(1);
    expect((await b.request().post('/logout').set('cookie', sid).expect(200)).body).toEqual({ ended: true });
    expect(await redis.client.exists(redis.key('sess', id), positionKey)).toBe(0);
    await b.request().get('/position').set('cookie', sid).expect(401);
  });
});
