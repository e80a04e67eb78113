// Variant: raw Fastify generating request ids as Fleet's createApp does (randomUUID unless a
// valid x-request-id came in), instead of Fastify's default counter.
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { paramsSchema, userSchema } from '../servers/raw-fastify.mjs';
const SAFE = /^[\w.:-]{1,128}$/;
export async function start({ port, host }) {
  const app = Fastify({ logger: false, requestIdHeader: false,
    genReqId: (req) => { const g = req.headers['x-request-id']; return typeof g === 'string' && SAFE.test(g) ? g : randomUUID(); } });
  app.get('/hello', () => ({ message: 'hello' }));
  app.get('/users/:id', { schema: { params: paramsSchema, response: { 200: userSchema } } }, (req) => ({ id: req.params.id, name: `User ${req.params.id}`, email: `user${req.params.id}@example.com` }));
  await app.listen({ port, host });
  return { close: () => app.close() };
}
