/**
 * The two sides of bench/jobs.mjs, on one Redis under a unique prefix: a Fleet app (role web)
 * whose `Orders.confirm` is @Async, and a raw BullMQ Queue with the same job options on a
 * connection with the same settings as Fleet's producer (fail fast, no offline queue).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Async, Injectable, JobsModule, Module, createApp } from '../../packages/core/dist/index.js';

export async function setup() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = `bench:${randomUUID()}:`;
  const app = 'jobsbench';
  const bullPrefix = `${keyPrefix}${app}:jobs`;

  class Orders { async confirm(orderId, n) { return { orderId, n }; } }
  Injectable()(Orders);
  Async({ attempts: 3 })(Orders.prototype, 'confirm', Object.getOwnPropertyDescriptor(Orders.prototype, 'confirm'));
  class BenchModule {}
  Module({ imports: [JobsModule], providers: [Orders] })(BenchModule);
  const fleet = await createApp(BenchModule, { logger: false, env: { REDIS_URL: url, REDIS_KEY_PREFIX: keyPrefix, FLEET_APP: app, FLEET_ROLE: 'web' } });
  const orders = fleet.get(Orders);

  const connection = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 });
  await connection.connect();
  const raw = new Queue('raw', { connection, prefix: bullPrefix });
  const rawOptions = {
    attempts: 3, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 86_400 }, removeOnFail: { age: 604_800 },
  };
  const fleetQueue = new Queue('default', { connection, prefix: bullPrefix });

  return {
    raw: (orderId, n) => raw.add('Orders.confirm', { args: [orderId, n] }, rawOptions),
    async: (orderId, n) => orders.confirm(orderId, n),
    drain: (side) => (side === 'raw' ? raw : fleetQueue).drain(true),
    async close() {
      await Promise.allSettled([raw.obliterate({ force: true }), fleetQueue.obliterate({ force: true })]);
      await connection.del(`${keyPrefix}${app}:jobs-registry:queues`);
      await Promise.allSettled([raw.close(), fleetQueue.close()]);
      await fleet.close();
      connection.disconnect();
    },
  };
}
