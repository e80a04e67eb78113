// Variant: raw Fastify with every Fastify-level setting Fleet's createApp applies (request ids from
// randomUUID, Fleet's error and not-found handlers, Fleet's ajv validator compiler, a schema-less
// route registered with `schema: {}` and a bound handler), without DI or zod. Measured here it cost
// the same as raw Fastify: Fleet's Fastify-level choices are not where its per-request cost is.
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { paramsSchema, userSchema } from '../servers/raw-fastify.mjs';
import { validatorCompiler } from '../../packages/core/dist/http/validation.js';
import { installErrorHandling } from '../../packages/core/dist/http/error-handler.js';
const SAFE = /^[\w.:-]{1,128}$/;
export async function start({ port, host }) {
  const app = Fastify({ logger: false, bodyLimit: 1_048_576, trustProxy: false, requestIdHeader: false,
    genReqId: (req) => { const g = req.headers['x-request-id']; return typeof g === 'string' && SAFE.test(g) ? g : randomUUID(); } });
  installErrorHandling(app, { production: false });
  app.setValidatorCompiler(validatorCompiler());
  const self = { hello() { return { message: 'hello' }; } };
  const fn = self.hello;
  app.route({ method: 'GET', url: '/hello', handler: () => fn.call(self), schema: {} });
  app.get('/users/:id', { schema: { params: paramsSchema, response: { 200: userSchema } } }, (req) => ({ id: req.params.id, name: 'x', email: 'y' }));
  await app.ready();
  await app.listen({ port, host });
  return { close: () => app.close() };
}
