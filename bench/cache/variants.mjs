/**
 * The calls measured by bench/cache.mjs: @Cached methods of a Fleet app (decorators applied by
 * hand: this is plain JS), a direct lru-cache get, and raw ioredis GETs of the same stored bytes.
 */
import { Cache, CacheModule, Cached, Injectable, Module, RedisConnection, RedisModule, createApp } from '../../packages/core/dist/index.js';
import { deleteKeys } from '../../packages/testing/dist/index.js';
import { LRUCache } from 'lru-cache';

/** What the source returns: a small user row, about 100 bytes of JSON. */
const row = (id) => ({ id, name: `User number ${id}`, email: `user${id}@example.com`, active: true, roles: ['reader'] });

class Users {
  async l1(id) { return row(id); }
  async l1Keyed(id) { return row(id); }
  async l2(id) { return row(id); }
  async miss(id) { return row(id); }
}

function decorate(method, decorator) {
  decorator(Users.prototype, method, Object.getOwnPropertyDescriptor(Users.prototype, method));
}
decorate('l1', Cached({ ttl: '1h' }));                                                    // default key: Users.l1(<id>)
decorate('l1Keyed', Cached({ ttl: '1h', key: (id) => `user:${id}` }));                   // a key function
decorate('l2', Cached({ ttl: '1h', key: (id) => `l2user:${id}`, l1: false }));           // Redis only
decorate('miss', Cached({ ttl: '1h', key: (id) => `miss:${id}`, l1: false }));           // always a new key
Injectable()(Users);

class BenchModule {}
Module({ imports: [RedisModule, CacheModule], providers: [Users] })(BenchModule);

/** Boots the app, warms every cache, and builds the variants. `keys` ids cycle through every variant. */
export async function setup({ keys }) {
  const env = { ...process.env, REDIS_KEY_PREFIX: `bench:${process.pid}:`, FLEET_APP: 'bench', CACHE_L1_MAX: String(keys * 2) };
  const app = await createApp(BenchModule, { logger: false, env, shutdown: { signals: false }, health: false });
  const users = app.get(Users);
  const redis = app.get(RedisConnection);
  const client = redis.client;

  // A direct lru-cache with the same entries and the same key shape as the @Cached key function.
  const lru = new LRUCache({ max: keys * 2 });
  for (let id = 0; id < keys; id++) {
    lru.set(`user:${id}`, Object.freeze(row(id)));
    await users.l1(id);
    await users.l1Keyed(id);
    await users.l2(id);
  }
  // Raw GETs read the very bytes L2 holds for the same ids.
  const rawKeys = Array.from({ length: keys }, (_, id) => redis.key('cache', 'v', `l2user:${id}`));
  if ((await client.get(rawKeys[0])) === null) throw new Error('the L2 entry to compare with is missing');

  let i = 0;
  const next = () => (i = (i + 1) % keys);
  let fresh = 0;
  return {
    inMemory: {
      'direct lru-cache get': () => lru.get(`user:${next()}`),
      '@Cached L1 hit (default key)': () => users.l1(next()),
      '@Cached L1 hit (key function)': () => users.l1Keyed(next()),
    },
    redisBound: {
      'raw ioredis GET': () => client.get(rawKeys[next()]),
      // What any caller of a raw GET does before it can use the value: decode it.
      'raw ioredis GET + JSON.parse': () => client.get(rawKeys[next()]).then((s) => JSON.parse(s.slice(s.indexOf('|') + 1))),
      '@Cached L2 hit': () => users.l2(next()),
    },
    miss: {
      'raw ioredis GET': () => client.get(rawKeys[next()]),
      '@Cached miss (read, source, store)': () => users.miss(fresh++),
    },
    snapshot: () => app.get(Cache).snapshot(),
    close: async () => {
      await app.close();
      await deleteKeys(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.REDIS_KEY_PREFIX); // SCAN + UNLINK of this run's keys only
    },
  };
}
