// Variant: raw Fastify that ran one AsyncLocalStorage.run() at boot, as Fleet's boot-timer
// attribution (packages/core/src/state/boot-timers.ts) does. On Node 20 the first run() turns
// the async_hooks storage hook on for the life of the process.
import { AsyncLocalStorage } from 'node:async_hooks';
import { build } from '../servers/raw-fastify.mjs';
const als = new AsyncLocalStorage();
als.run('boot', () => {});
if (process.env.ALS_DISABLE === '1') als.disable();
export async function start({ port, host }) {
  const app = build();
  await app.listen({ port, host });
  return { close: () => app.close() };
}
