import { Clock, DatabaseModule, Jobs, RedisModule, createApp, moduleTree, type AppOptions, type FleetApp, type Provider, type Token } from '@fleet/core';
import supertest from 'supertest';
import { FaultProxy } from './fault-proxy.js';
import { acquireFaultReplica, type FaultReplica } from './fault-replica.js';
import { Faults, instrumentForFaults, type PrivateServers, type ServiceName } from './faults.js';
import { isolate, type Isolation } from './isolation.js';
import { TestJobs } from './jobs.js';
import { ManualClock } from './manual-clock.js';
import { startRedisServer } from './redis-server.js';
import { installSpans, type Spans } from './spans.js';

/** Options of `createTestApp`: the same as `createApp`, with quieter defaults and test tooling. */
export interface TestAppOptions<C = unknown> extends AppOptions<C> {
  /** Replace providers by token wherever they are declared, including inside imported and dynamic modules. */
  overrides?: Provider[];
  /**
   * Give the app its own Redis key prefix (when it imports RedisModule) and its own PostgreSQL
   * schema with migrations applied into it (when it imports DatabaseModule), both removed on
   * `close()`, so test files run in parallel without seeing each other's data.
   * @default true
   */
  isolate?: boolean;
  /** `'manual'`: the app's `Clock` moves only with `clock.advance('30s')`. @default 'system' */
  clock?: 'system' | 'manual' | ManualClock;
  /** Connect the app to Redis and PostgreSQL through TCP fault proxies (`faults.cut('redis')`). @default false */
  faultProxies?: boolean;
  /** Record spans in memory (`spans.find(...)`): registers an OpenTelemetry SDK for the process. @default false */
  spans?: boolean;
  /**
   * Give the app a Redis server of its own (`startRedisServer()`, stopped on `close()`): REDIS_URL
   * points at it, and `faults.pauseRedis()`, `stopRedis()`, `startRedis()` break it for real
   * without disturbing other tests. Nothing else uses it, so no key prefix is added.
   * @default false
   */
  privateRedis?: boolean;
  /**
   * Read from the fault replica (127.0.0.1:5434, see `acquireFaultReplica()`): DATABASE_REPLICA_URLS
   * becomes that one replica (same database and user as DATABASE_URL), and `faults.pauseReplay()`,
   * `resumeReplay()`, `stopReplica()`, `startReplica()` act on it. `true` takes it exclusively,
   * waiting while another test has it, and `close()` restores and releases it; pass a
   * `FaultReplica` you acquired to keep it across apps (you release it).
   * @default false
   */
  faultReplica?: boolean | FaultReplica;
}

/** A test application: the production app, listening on an ephemeral loopback port. */
export interface TestApp<C = unknown> {
  /** The application itself. */
  readonly app: FleetApp<C>;
  /** The base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The app's clock: a `ManualClock` with `clock: 'manual'`, else undefined. */
  readonly clock: ManualClock | undefined;
  /** Method faults and network faults. */
  readonly faults: Faults;
  /** Recorded spans (with `spans: true`). */
  readonly spans: Spans | undefined;
  /** The app's `@Async` jobs: `drain()` runs every queued one, `waitFor(jobId)` one of them. */
  readonly jobs: TestJobs;
  /** The isolation of this app: its Redis key prefix and PostgreSQL schema, if any. */
  readonly isolation: Pick<Isolation, 'keyPrefix' | 'schema'>;
  /** supertest bound to the running server. */
  request(): ReturnType<typeof supertest>;
  get<T>(token: Token<T>): T;
  /** Closes the app, removes its keys and schema, and stops its proxies. */
  close(): Promise<void>;
}

/**
 * Boots the app exactly as production does (`createApp`, the same module, the same global
 * setup), listening on 127.0.0.1 on a free port, so tests go through real HTTP.
 */
export async function createTestApp<C = unknown>(rootModule: unknown, options: TestAppOptions<C> = {}): Promise<TestApp<C>> {
  const isolation = await isolateWithServers(rootModule, options);
  return startTestApp(rootModule, options, isolation, true);
}

/**
 * Several instances of one app sharing one isolation (one Redis prefix, one schema), as a fleet
 * behind a load balancer would: what one writes, the others read. Closing the last one removes
 * the keys and the schema.
 */
export async function createTestFleet<C = unknown>(rootModule: unknown, count: number, options: TestAppOptions<C> = {}): Promise<Array<TestApp<C>>> {
  const isolation = await isolateWithServers(rootModule, options);
  let open = count;
  const shared: Isolation & { servers: PrivateServers } = { ...isolation, cleanup: async () => { if (--open === 0) await isolation.cleanup(); } };
  const apps: Array<TestApp<C>> = [];
  try {
    for (let i = 0; i < count; i++) apps.push(await startTestApp(rootModule, options, shared, false));
  } catch (error) {
    await Promise.all(apps.map((a) => a.close()));
    await isolation.cleanup();
    throw error;
  }
  return apps;
}

/**
 * Starts the servers the app gets to itself (a private Redis, the fault replica), points the
 * environment at them, then isolates: Redis when the app imports RedisModule (not a private one),
 * PostgreSQL when it imports DatabaseModule, unless the environment already isolates it (a
 * REDIS_KEY_PREFIX, a search_path in DATABASE_URL) or `isolate: false`. The isolation's cleanup
 * also stops and releases those servers, so a fleet shares them until its last instance closes.
 */
async function isolateWithServers(rootModule: unknown, options: TestAppOptions<unknown>): Promise<Isolation & { servers: PrivateServers }> {
  const env = { ...(options.env ?? process.env) };
  const servers: PrivateServers = {};
  const ownsReplica = options.faultReplica === true;
  const stopServers = async () => {
    await Promise.allSettled([servers.redis?.close(), ownsReplica ? servers.replica?.release() : undefined]);
  };
  try {
    if (options.privateRedis) {
      servers.redis = await startRedisServer();
      env.REDIS_URL = servers.redis.url;
    }
    if (options.faultReplica) {
      servers.replica = options.faultReplica === true ? await acquireFaultReplica() : options.faultReplica;
      const u = new URL(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
      u.hostname = servers.replica.host;
      u.port = String(servers.replica.port);
      env.DATABASE_REPLICA_URLS = u.toString();
    }
    const modules = await moduleTree(rootModule);
    const enabled = options.isolate !== false;
    const isolation = await isolate(env, {
      redis: enabled && !options.privateRedis && modules.has(RedisModule) && env.REDIS_KEY_PREFIX === undefined,
      database: enabled && modules.has(DatabaseModule) && !(env.DATABASE_URL ?? '').includes('search_path'),
    });
    return { ...isolation, servers, cleanup: async () => { try { await isolation.cleanup(); } finally { await stopServers(); } } };
  } catch (error) {
    await stopServers();
    throw error;
  }
}

async function startTestApp<C>(rootModule: unknown, options: TestAppOptions<C>, isolation: Isolation & { servers: PrivateServers }, ownsIsolation: boolean): Promise<TestApp<C>> {
  const proxies = new Map<ServiceName, FaultProxy>();
  const env = { ...isolation.env };
  try {
    if (options.faultProxies) await startProxies(env, proxies);
    const clock = options.clock === 'manual' ? new ManualClock() : options.clock instanceof ManualClock ? options.clock : undefined;
    const spans = options.spans ? await installSpans() : undefined;
    const bootedAt = Date.now();
    const app = await createApp<C>(rootModule, {
      logger: false,
      ...options,
      env,
      overrides: [...(clock ? [{ provide: Clock, useValue: clock }] : []), ...(options.overrides ?? [])],
      instrument: (instance, name) => { if (Object.isExtensible(instance)) instrumentForFaults(instance); options.instrument?.(instance, name); },
      shutdown: { signals: false, ...options.shutdown },
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const jobs = new TestJobs(jobsOf(app), bootedAt);
    return {
      app,
      url,
      clock,
      spans,
      jobs,
      faults: new Faults((token) => app.get(token as Token<object>), proxies, isolation.servers),
      isolation: { keyPrefix: isolation.keyPrefix, schema: isolation.schema },
      request: () => supertest(url),
      get: (token) => app.get(token),
      close: async () => {
        try {
          await app.close();
        } finally {
          await Promise.all([...proxies.values()].map((p) => p.close()));
          await isolation.cleanup();
        }
      },
    };
  } catch (error) {
    await Promise.all([...proxies.values()].map((p) => p.close()));
    if (ownsIsolation) await isolation.cleanup();
    throw error;
  }
}

/** The app's `Jobs`, when it imports JobsModule. */
function jobsOf(app: FleetApp<unknown>): Jobs | undefined {
  try {
    return app.get(Jobs);
  } catch {
    return undefined;
  }
}

/** Points REDIS_URL, DATABASE_URL and the first replica URL at fault proxies in front of them. */
async function startProxies(env: Record<string, string | undefined>, proxies: Map<ServiceName, FaultProxy>): Promise<void> {
  const through = async (service: ServiceName, raw: string, fallbackPort: number): Promise<string> => {
    const u = new URL(raw);
    const proxy = await FaultProxy.start({ target: { host: u.hostname, port: Number(u.port || fallbackPort) } });
    proxies.set(service, proxy);
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    return u.toString();
  };
  env.REDIS_URL = await through('redis', env.REDIS_URL ?? 'redis://127.0.0.1:6379', 6379);
  env.DATABASE_URL = await through('postgres-primary', env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 5432);
  const replicas = (env.DATABASE_REPLICA_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (replicas.length > 0) env.DATABASE_REPLICA_URLS = [await through('postgres-replica', replicas[0]!, 5432), ...replicas.slice(1)].join(',');
}
