import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Locks, LocksModule, Module, RedisModule, createApp, type FleetApp, type FleetError } from '@fleet/core';

@Module({ imports: [RedisModule, LocksModule] })
class AppModule {}

const env = { REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'locks' };

describe('Locks across instances (real Redis)', () => {
  let a: FleetApp;
  let b: FleetApp;
  beforeAll(async () => { [a, b] = await Promise.all([createApp(AppModule, { logger: false, env }), createApp(AppModule, { logger: false, env })]); });
  afterAll(async () => { await Promise.all([a.close(), b.close()]); });

  it('lets exactly one holder in at a time under 100 concurrent attempts from two instances', async () => {
    let holders = 0;
    let maxHolders = 0;
    let done = 0;
    const attempt = (locks: Locks) => locks.withLock('stock:42', { ttl: '10s', wait: '60s', retryDelay: 5 }, async () => {
      holders += 1;
      maxHolders = Math.max(maxHolders, holders);
      await new Promise((r) => setTimeout(r, 1));
      holders -= 1;
      done += 1;
    });
    await Promise.all(Array.from({ length: 100 }, (_, i) => attempt((i % 2 ? a : b).get(Locks))));
    expect(done).toBe(100);
    expect(maxHolders).toBe(1);
  });

  it('fails clearly when the lock stays held for the whole wait, and only the owner can release or extend', async () => {
    const held = await a.get(Locks).acquire('report', { ttl: '5s' });
    const err = await b.get(Locks).acquire('report', { ttl: '5s', wait: 100 }).then(() => undefined, (e: FleetError) => e);
    expect(err?.code).toBe('FLEET_ERR_LOCK_NOT_ACQUIRED');
    expect(err?.statusCode).toBe(409);
    expect(err?.message).toContain('Lock "report" is held by another holder');
    expect(await b.get(Locks).tryAcquire('report', '5s')).toBeUndefined();
    expect(await held.extend('10s')).toBe(true);
    expect(await held.release()).toBe(true);
    expect(await held.release()).toBe(false);
    const next = await b.get(Locks).tryAcquire('report', '5s');
    expect(next).toBeDefined();
    expect(await held.release()).toBe(false);
    expect(await held.extend('10s')).toBe(false);
    expect(await next!.release()).toBe(true);
  });

  it("expires a crashed holder's lock after its TTL (holder SIGKILLed)", async () => {
    const name = `crash-${randomUUID()}`;
    const script = fileURLToPath(new URL('./fixtures/lock-holder.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, name, '1500'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => { if (String(d).startsWith('held')) resolve(); });
        child.once('exit', (code) => reject(new Error(`holder exited early (${code})`)));
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(await a.get(Locks).tryAcquire(name, '5s')).toBeUndefined();
      // Still held right after the crash; free once the TTL has run out, with nobody releasing it.
      const lock = await a.get(Locks).acquire(name, { ttl: '5s', wait: '10s', retryDelay: 50 });
      expect(await lock.release()).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
