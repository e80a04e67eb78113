import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Injectable, Module, RedisConnection, RedisModule } from '@fleet/core';
import { createTestApp, startRedisServer } from '@fleet/testing';

/** Tracks whether a promise has settled, and when. */
function watch<T>(p: Promise<T>): { settled: () => boolean; at: () => number; value: Promise<T> } {
  let settledAt = 0;
  const value = p.finally(() => { settledAt = performance.now(); });
  value.catch(() => undefined);
  return { settled: () => settledAt > 0, at: () => settledAt, value };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refused = (port: number) => new Promise<boolean>((resolve) => {
  const s = createConnection({ host: '127.0.0.1', port });
  s.once('connect', () => { s.destroy(); resolve(false); });
  s.once('error', () => resolve(true));
});

describe('startRedisServer', () => {
  it('holds back writes during CLIENT PAUSE ... WRITE until unpause(), while reads go on', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const reader = new Redis(server.url, { maxRetriesPerRequest: 1 }); // a connection runs its commands in order: read on another one
    try {
      await client.set('k', 'before');
      await server.pause(60_000, 'WRITE');
      const write = watch(client.set('k', 'after'));
      expect(await reader.get('k')).toBe('before'); // reads are not paused
      await sleep(300);
      expect(write.settled()).toBe(false);
      const unpausedAt = performance.now();
      await server.unpause();
      // Generous bound: far below the pause's 60 s, so it was unpause() that let it through.
      await expect(Promise.race([write.value, sleep(10_000).then(() => 'still paused')])).resolves.toBe('OK');
      expect(write.at()).toBeGreaterThanOrEqual(unpausedAt);
      expect(await client.get('k')).toBe('after');
    } finally {
      client.disconnect();
      reader.disconnect();
      await server.close();
    }
  });

  it('holds back every command during CLIENT PAUSE ... ALL until the pause ends', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      await client.set('k', 'v');
      await server.pause(1500, 'ALL');
      const read = watch(client.get('k'));
      await sleep(300);
      expect(read.settled()).toBe(false);
      await server.unpause(); // under ALL, Redis runs UNPAUSE itself only when the pause ends
      await expect(Promise.race([read.value, sleep(10_000).then(() => 'still paused')])).resolves.toBe('v');
    } finally {
      client.disconnect();
      await server.close();
    }
  });

  it('stop() and start() make a client fail and then recover, on the same port and empty', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.set('k', 'v');
      for (const kill of [false, true]) {
        await server.stop({ kill });
        expect(server.running).toBe(false);
        await expect(client.ping()).rejects.toThrow();
        expect(await refused(server.port)).toBe(true);
        await server.start();
        expect(server.running).toBe(true);
        await expect.poll(() => client.ping().catch((e: Error) => e.message), { timeout: 10_000, interval: 50 }).toBe('PONG');
        expect(await client.get('k')).toBeNull(); // it keeps no data
        await client.set('k', 'v');
      }
    } finally {
      client.disconnect();
      await server.close();
    }
    expect(await refused(server.port)).toBe(true);
  });

  it('gives a test app its own Redis through privateRedis, and faults stop and start it', async () => {
    @Injectable() class Counter { constructor(readonly redis: RedisConnection) {} }
    @Module({ imports: [RedisModule], providers: [Counter] }) class CounterApp {}
    const t = await createTestApp(CounterApp, { privateRedis: true, env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:6379' } });
    const server = t.faults.redisServer;
    try {
      expect(server.port).not.toBe(6379);
      const redis = t.get(Counter).redis;
      await redis.client.set(redis.key('n'), '1');
      const direct = new Redis(server.url);
      try { expect(await direct.get(redis.key('n'))).toBe('1'); } finally { direct.disconnect(); }
      await t.faults.stopRedis();
      expect((await t.request().get('/health/ready')).status).toBe(503);
      await t.faults.startRedis();
      await expect.poll(async () => (await t.request().get('/health/ready')).status, { timeout: 15_000, interval: 200 }).toBe(200);
    } finally {
      await t.close();
    }
    expect(await refused(server.port)).toBe(true);
  });
});
