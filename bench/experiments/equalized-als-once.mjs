// Variant: the heap-equalized raw Fastify that also ran one AsyncLocalStorage.run() at boot (as
// Fleet's boot-timer attribution does), so async hooks stay on. ALS_DISABLE=1 disables it again.
import { AsyncLocalStorage } from 'node:async_hooks';
import { start } from '../servers/raw-fastify-equalized.mjs';
const als = new AsyncLocalStorage();
als.run('boot', () => {});
if (process.env.ALS_DISABLE === '1') als.disable();
export { start };
