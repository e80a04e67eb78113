import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CacheEvict, CacheModule, CachePut, Cached, Injectable, Module, RedisModule, describePipeline } from '@fleet/core';
import { startFleet, type Instance } from './helpers.js';

/** The "database" every instance reads: one copy, shared, counting reads. */
const db = { users: new Map<number, { id: number; name: string }>(), reads: 0 };

@Injectable()
class UsersService {
  @Cached({ ttl: '1m', key: (id: number) => `user:${id}`, tags: (id: number) => ['users', `team:${id % 2}`] })
  async find(id: number) {
    db.reads++;
    return db.users.get(id);
  }

  @CacheEvict({ key: (id: number) => `user:${id}` })
  async rename(id: number, name: string) {
    db.users.set(id, { id, name });
  }

  @CachePut({ ttl: '1m', key: (id: number) => `user:${id}`, tags: (id: number) => ['users', `team:${id % 2}`] })
  async replace(id: number, name: string) {
    const user = { id, name };
    db.users.set(id, user);
    return user;
  }

  @CacheEvict({ tags: ['users'] })
  async renameAll(suffix: string) {
    for (const u of db.users.values()) u.name += suffix;
  }
}

@Module({ imports: [RedisModule, CacheModule], providers: [UsersService] })
class AppModule {}

describe('@Cached across a fleet of three instances (real Redis)', () => {
  let apps: Instance[];
  let close: () => Promise<void>;
  const users = (i: number) => apps[i]!.get(UsersService);
  /** Reads user `id` on every instance, so each holds it in L1. */
  const warm = async (id: number) => { for (let i = 0; i < apps.length; i++) await users(i).find(id); };

  beforeAll(async () => {
    ({ apps, close } = await startFleet(AppModule, 3));
  });
  afterAll(async () => { await close?.(); });
  beforeEach(() => {
    db.users.clear();
    for (let id = 1; id <= 4; id++) db.users.set(id, { id, name: `user ${id}` });
    db.reads = 0;
  });

  it('reads the source once for the fleet: L1 on the instance that filled, L2 on the others, then their L1', async () => {
    expect(describePipeline(users(0), 'find')).toEqual(['Cached', 'method']);
    expect(describePipeline(users(0), 'rename')).toEqual(['CacheEvict', 'method']);
    expect(describePipeline(users(0), 'replace')).toEqual(['CachePut', 'method']);
    await expect(users(0).find(1)).resolves.toEqual({ id: 1, name: 'user 1' });
    await expect(users(1).find(1)).resolves.toEqual({ id: 1, name: 'user 1' });
    await expect(users(1).find(1)).resolves.toEqual({ id: 1, name: 'user 1' });
    await expect(users(2).find(1)).resolves.toEqual({ id: 1, name: 'user 1' });
    expect(db.reads).toBe(1);
    expect(apps[0]!.stats('UsersService.find')).toMatchObject({ misses: 1, sourceCalls: 1 });
    expect(apps[1]!.stats('UsersService.find')).toMatchObject({ l2Hits: 1, l1Hits: 1, sourceCalls: 0 });
    const value = await users(1).find(1);
    expect(Object.isFrozen(value)).toBe(true); // every caller shares the cached object
  });

  it('a delete on one instance has reached every L1 when it returns', async () => {
    await warm(2);
    db.reads = 0;
    await users(0).rename(2, 'renamed');
    for (let i = 0; i < 3; i++) await expect(users(i).find(2)).resolves.toEqual({ id: 2, name: 'renamed' });
    expect(db.reads).toBe(1); // the first reader refilled L2, the others read it
  });

  it('a put writes the new value through: every instance reads it without calling the source', async () => {
    await warm(3);
    db.reads = 0;
    await users(2).replace(3, 'put');
    for (let i = 0; i < 3; i++) await expect(users(i).find(3)).resolves.toEqual({ id: 3, name: 'put' });
    expect(db.reads).toBe(0);
  });

  it('a tag delete on one instance has reached every L1 when it returns', async () => {
    await warm(1);
    await warm(4);
    db.reads = 0;
    await users(1).renameAll('!');
    for (let i = 0; i < 3; i++) {
      await expect(users(i).find(1)).resolves.toEqual({ id: 1, name: 'user 1!' });
      await expect(users(i).find(4)).resolves.toEqual({ id: 4, name: 'user 4!' });
    }
    expect(db.reads).toBe(2);
  });

  it('the Cache API: set, get, delete and deleteByTag, fleet-wide', async () => {
    const [a, b, c] = apps as [Instance, Instance, Instance];
    await a.cache.set('report:today', { total: 3 }, { ttl: '1m', tags: ['reports'] });
    await expect(b.cache.get('report:today')).resolves.toEqual({ total: 3 });
    await expect(c.cache.wrap('report:today', () => ({ total: -1 }), { ttl: '1m', tags: ['reports'] })).resolves.toEqual({ total: 3 });
    await b.cache.set('report:today', { total: 4 }, { ttl: '1m', tags: ['reports'] });
    await expect(a.cache.get('report:today')).resolves.toEqual({ total: 4 });
    await c.cache.deleteByTag('reports');
    await expect(a.cache.get('report:today')).resolves.toBeUndefined();
    await expect(b.cache.wrap('report:today', () => ({ total: 5 }), { ttl: '1m', tags: ['reports'] })).resolves.toEqual({ total: 5 });
    await a.cache.delete('report:today');
    await expect(c.cache.get('report:today')).resolves.toBeUndefined();
  });

  it('caches "not found" (undefined) like any value', async () => {
    await expect(users(0).find(99)).resolves.toBeUndefined();
    await expect(users(1).find(99)).resolves.toBeUndefined();
    expect(db.reads).toBe(1);
  });
});
