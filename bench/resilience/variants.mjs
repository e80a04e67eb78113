/**
 * The calls measured by bench/resilience.mjs: one plain async method, Fleet's decorators (applied
 * by hand: this is plain JS, so `Decorator(...)(prototype, name, descriptor)`), and the same
 * policies in cockatiel and opossum, each wrapping the same plain method.
 */
import {
  Bulkhead, CircuitBreaker, Injectable, Module, RateLimit, RedisConnection, RedisModule, Retry, Signal, Timeout, createApp,
} from '../../packages/core/dist/index.js';
import { SLIDING_WINDOW_SHA, SLIDING_WINDOW_LUA } from '../../packages/core/dist/resilience/rate-limit-script.js';
import {
  ConsecutiveBreaker, ExponentialBackoff, TimeoutStrategy, bulkhead, circuitBreaker, handleAll, retry, timeout, wrap,
} from 'cockatiel';
import Opossum from 'opossum';

class Target {
  async plain() { return 1; }
  async retry() { return 1; }
  async breaker() { return 1; }
  async bulkhead() { return 1; }
  async timeout() { return 1; }
  async timeoutSignal(signal) { return signal ? 1 : 0; }
  async full() { return 1; }
  async fullSignal(signal) { return signal ? 1 : 0; }
  async limited() { return 1; }
}

function decorate(method, ...decorators) {
  for (const d of decorators.reverse()) d(Target.prototype, method, Object.getOwnPropertyDescriptor(Target.prototype, method));
}
decorate('retry', Retry());
decorate('breaker', CircuitBreaker());
decorate('bulkhead', Bulkhead());
decorate('timeout', Timeout('5s'));
decorate('timeoutSignal', Timeout('5s'));
Signal()(Target.prototype, 'timeoutSignal', 0);
decorate('full', Retry(), CircuitBreaker(), Timeout('5s'), Bulkhead());
decorate('fullSignal', Retry(), CircuitBreaker(), Timeout('5s'), Bulkhead());
Signal()(Target.prototype, 'fullSignal', 0);
decorate('limited', RateLimit('100000000/minute', { key: 'global' }));
Injectable()(Target);

class BenchModule {}
Module({ imports: [RedisModule], providers: [Target] })(BenchModule);

/** Boots a Fleet app with the decorated Target (Redis for @RateLimit) and builds every variant. */
export async function setup() {
  const env = { ...process.env, REDIS_KEY_PREFIX: `bench:${process.pid}:`, FLEET_APP: 'bench' };
  const app = await createApp(BenchModule, { logger: false, env, shutdown: { signals: false }, health: false });
  const t = app.get(Target);
  const redis = app.get(RedisConnection);
  const plain = () => t.plain();

  const cRetry = retry(handleAll, { maxAttempts: 4, backoff: new ExponentialBackoff() });
  const cBreaker = circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) });
  const cBulkhead = bulkhead(10);
  const cTimeout = timeout(5000, TimeoutStrategy.Cooperative);
  const cFull = wrap(retry(handleAll, { maxAttempts: 4, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) }), timeout(5000, TimeoutStrategy.Cooperative), bulkhead(10));
  const oBreaker = new Opossum(plain, { timeout: false });
  const oBreakerTimeout = new Opossum(plain, { timeout: 5000 });

  // The raw round trip @RateLimit is compared with: the same script, key shape and arguments.
  const rawKey = redis.key('rl', 'raw', 'global');
  const client = redis.client;
  await client.script('LOAD', SLIDING_WINDOW_LUA);
  const rawEvalsha = () => client.evalsha(SLIDING_WINDOW_SHA, 1, rawKey, Date.now(), 6000, 10, 100_000_000);

  const inMemory = {
    plain,
    'fleet retry': () => t.retry(),
    'fleet breaker': () => t.breaker(),
    'fleet bulkhead': () => t.bulkhead(),
    'fleet timeout': () => t.timeout(),
    'fleet timeout (@Signal)': () => t.timeoutSignal(),
    'fleet full stack': () => t.full(),
    'fleet full stack (@Signal)': () => t.fullSignal(),
    'cockatiel retry': () => cRetry.execute(plain),
    'cockatiel breaker': () => cBreaker.execute(plain),
    'cockatiel bulkhead': () => cBulkhead.execute(plain),
    'cockatiel timeout': () => cTimeout.execute(plain),
    'cockatiel full stack': () => cFull.execute(plain),
    'opossum breaker': () => oBreaker.fire(),
    'opossum breaker (timeout 5s)': () => oBreakerTimeout.fire(),
  };
  const redisBound = {
    'raw EVALSHA': rawEvalsha,
    'fleet @RateLimit': () => t.limited(),
  };
  return {
    inMemory,
    redisBound,
    async close() {
      oBreaker.shutdown();
      oBreakerTimeout.shutdown();
      await client.del(rawKey, redis.key('rl', 'Target.limited', 'global'));
      await app.close();
    },
  };
}
