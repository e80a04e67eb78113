import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Cache, type CacheStats } from '@fleet/core';
import { createTestApp, deleteKeys, ManualClock, type TestApp } from '@fleet/testing';

/** Log lines an app wrote (pino JSON), for asserting what was logged. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stream = new Writable({
    write: (chunk, _enc, done) => {
      for (const line of String(chunk).split('\n')) if (line) this.lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  messages(): string[] { return this.lines.map((l) => String(l.msg)); }
  count(prefix: string): number { return this.messages().filter((m) => m.startsWith(prefix)).length; }
}

export interface Instance extends TestApp {
  readonly log: LogCapture;
  readonly cache: Cache;
  stats(name: string): CacheStats;
}

export interface FleetOptions {
  /** One clock for the whole fleet (entries' freshness is judged on it). @default a new ManualClock */
  clock?: ManualClock;
  /** Instances that connect to Redis through their own fault proxy (by index). @default none */
  proxied?: number[];
  env?: Record<string, string>;
}

/**
 * `count` instances of one app sharing one Redis namespace (a unique prefix per call), each with
 * its own log; `close()` closes them and removes the namespace's keys.
 */
export async function startFleet(module: unknown, count: number, options: FleetOptions = {}): Promise<{ apps: Instance[]; clock: ManualClock; close(): Promise<void> }> {
  const clock = options.clock ?? new ManualClock();
  const prefix = `test:${randomUUID()}:`;
  const apps: Instance[] = [];
  const close = async () => {
    await Promise.all(apps.map((a) => a.close()));
    await deleteKeys('redis://127.0.0.1:6379', prefix);
  };
  try {
    for (let i = 0; i < count; i++) {
      const log = new LogCapture();
      const app = await createTestApp(module, {
        env: { ...process.env, REDIS_KEY_PREFIX: prefix, FLEET_APP: 'cachetest', ...options.env },
        clock,
        faultProxies: options.proxied?.includes(i) ?? false,
        logger: { level: 'info', stream: log.stream } as never,
      });
      const cache = app.get(Cache);
      apps.push(Object.assign(app, {
        log,
        cache,
        stats: (name: string) => cache.stats(name) ?? emptyStats(name),
      }));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { apps, clock, close };
}

function emptyStats(name: string): CacheStats {
  return { name, l1Entries: 0, l1Hits: 0, l2Hits: 0, misses: 0, sourceCalls: 0, staleServed: 0, coalesced: 0, lockWaits: 0, refreshes: 0, refreshFailures: 0, notStored: 0 };
}

/** A promise that the test settles by hand. */
export function deferred<T = unknown>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
