/**
 * The read-your-writes position kept beside a session, at the Redis level (the scripts against a
 * real Redis): monotonic with a 64-bit comparison, bounded by the session's TTL, never created
 * for a session that is gone. The HTTP-level behaviour across instances is in
 * test/data/session-read-your-writes.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger, Module, RedisConnection, RedisModule } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { parseLsn } from '../src/data/lsn.js';
import { markRequestSession, SessionPositions } from '../src/sessions/session-positions.js';

@Module({ imports: [RedisModule] })
class AppModule {}

const TTL = 600;

describe('session positions in Redis (real Redis)', () => {
  let app: TestApp;
  let redis: RedisConnection;
  let positions: SessionPositions;

  beforeAll(async () => {
    app = await createTestApp(AppModule, { env: { REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'positions' } });
    redis = app.get(RedisConnection);
    positions = new SessionPositions(redis, TTL, app.get(Logger), () => undefined);
  });
  afterAll(async () => { await app?.close(); });

  /** A live session (data key with the session TTL) and a request that belongs to it. */
  async function session(): Promise<{ dataKey: string; req: FastifyRequest }> {
    const id = randomBytes(16).toString('base64url');
    const dataKey = redis.key('sess', id);
    await redis.client.set(dataKey, '{}', 'EX', TTL);
    const req = { headers: {} } as FastifyRequest;
    markRequestSession(req, id);
    return { dataKey, req };
  }

  /** Raises, then reads the stored position; the read follows the raise on the same connection, so it sees it. */
  async function raise(s: { dataKey: string; req: FastifyRequest }, lsn: string): Promise<string | undefined> {
    positions.raise(s.req, parseLsn(lsn)!);
    return (await positions.load(s.dataKey))?.position;
  }

  it('stores the first position and loads it with the session in one call', async () => {
    const s = await session();
    expect(await positions.load(s.dataKey)).toEqual({ raw: '{}', position: undefined });
    expect(await raise(s, '0/16B3748')).toBe('0/16B3748');
    expect(await positions.load(s.dataKey)).toEqual({ raw: '{}', position: '0/16B3748' });
  });

  it('never lowers a position, comparing both 32-bit halves as numbers (not as text)', async () => {
    const s = await session();
    expect(await raise(s, '0/10')).toBe('0/10');
    expect(await raise(s, '0/F')).toBe('0/10'); // lower: kept
    expect(await raise(s, '0/10')).toBe('0/10'); // equal: kept
    expect(await raise(s, '0/FFFFFFFF')).toBe('0/FFFFFFFF');
    expect(await raise(s, '1/0')).toBe('1/0'); // the high half wins over a larger low half
    expect(await raise(s, '0/FFFFFFFF')).toBe('1/0');
    expect(await raise(s, 'A/0')).toBe('A/0');
    expect(await raise(s, '10/0')).toBe('10/0'); // text order would keep 'A/0'
    expect(await raise(s, '9/FFFFFFFF')).toBe('10/0');
    expect(await raise(s, '1FFFFF/FFFFFFFF')).toBe('1FFFFF/FFFFFFFF'); // 2^53 - 1, the largest exact JS position
  });

  it('keeps the position no longer than the session, and slides both on load', async () => {
    const s = await session();
    await redis.client.expire(s.dataKey, 50);
    positions.raise(s.req, parseLsn('0/20')!);
    const lsnKey = positions.key(s.dataKey);
    const pttl = await redis.client.pttl(lsnKey);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(50_000);
    await positions.load(s.dataKey);
    expect(await redis.client.ttl(s.dataKey)).toBeGreaterThan(TTL - 10);
    expect(await redis.client.ttl(lsnKey)).toBeGreaterThan(TTL - 10);
  });

  it('creates no position for a session that is gone, and loads nothing for it', async () => {
    const s = await session();
    await redis.client.del(s.dataKey);
    positions.raise(s.req, parseLsn('0/30')!);
    expect(await positions.load(s.dataKey)).toBeUndefined();
    expect(await redis.client.exists(positions.key(s.dataKey))).toBe(0);
  });

  it('ignores requests without a session (no cookie, or logged out in this request)', async () => {
    const s = await session();
    markRequestSession(s.req, null);
    positions.raise(s.req, parseLsn('0/40')!);
    positions.raise({ headers: {} } as FastifyRequest, parseLsn('0/40')!);
    expect(await positions.load(s.dataKey)).toEqual({ raw: '{}', position: undefined });
  });

  it('loads the script again after Redis lost it (SCRIPT FLUSH)', async () => {
    const s = await session();
    await redis.client.script('FLUSH');
    expect(await raise(s, '0/50')).toBe('0/50');
  });
});
