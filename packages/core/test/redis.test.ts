import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Injectable, Module, RedisConnection, RedisModule, createApp, type FleetError } from '@fleet/core';

@Injectable()
class Uses { constructor(readonly redis: RedisConnection) {} }
@Module({ imports: [RedisModule], providers: [Uses] })
class AppModule {}

const env = (extra: Record<string, string> = {}) => ({ REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'orders', ...extra });

describe('RedisModule (real Redis)', () => {
  it('connects at boot, namespaces keys per app, and closes on shutdown', async () => {
    const e = env();
    const app = await createApp(AppModule, { logger: false, env: e });
    const redis = app.get(Uses).redis;
    const key = redis.key('sess', 'abc');
    expect(key).toBe(`${e.REDIS_KEY_PREFIX}orders:sess:abc`);
    await redis.client.set(key, 'v', 'EX', 10);
    expect(await redis.client.get(key)).toBe('v');
    expect(await redis.client.client('GETNAME')).toBe('fleet:orders:command');
    await redis.client.del(key);
    const client = redis.client;
    await app.close();
    await expect.poll(() => client.status, { timeout: 5000 }).toBe('end');
  });

  it('delivers published messages to every instance of the app', async () => {
    const e = env();
    const a = await createApp(AppModule, { logger: false, env: e });
    const b = await createApp(AppModule, { logger: false, env: e });
    const other = await createApp(AppModule, { logger: false, env: { ...e, FLEET_APP: 'billing' } });
    try {
      const got: string[] = [];
      const gotOther: string[] = [];
      await b.get(Uses).redis.subscribe('breakers', (m) => got.push(m));
      await other.get(Uses).redis.subscribe('breakers', (m) => gotOther.push(m));
      await a.get(Uses).redis.publish('breakers', 'payments:open');
      await expect.poll(() => got, { timeout: 5000 }).toEqual(['payments:open']);
      expect(gotOther).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  it('fails boot with a clear error when Redis cannot be reached', async () => {
    const err = await createApp(AppModule, { logger: false, env: env({ REDIS_URL: 'redis://127.0.0.1:1' }) }).then(() => undefined, (x: FleetError) => x);
    expect(err?.code).toBe('FLEET_ERR_LIFECYCLE_INIT_FAILED');
    expect((err?.cause as FleetError).code).toBe('FLEET_ERR_REDIS_UNAVAILABLE');
    expect(err?.message).toContain('RedisConnection.onInit() failed: Cannot connect to Redis at redis://127.0.0.1:1');
  });
});
