// Variant: raw Fastify generating request ids with a per-process random prefix and a counter
// (unless a valid x-request-id came in): unique across processes, without a randomUUID per request.
import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import { paramsSchema, userSchema } from '../servers/raw-fastify.mjs';
const SAFE = /^[\w.:-]{1,128}$/;
const PREFIX = randomBytes(6).toString('base64url');
let seq = 0;
export async function start({ port, host }) {
  const app = Fastify({ logger: false, requestIdHeader: false,
    genReqId: (req) => { const g = req.headers['x-request-id']; return typeof g === 'string' && SAFE.test(g) ? g : `${PREFIX}-${(++seq).toString(36)}`; } });
  app.get('/hello', () => ({ message: 'hello' }));
  app.get('/users/:id', { schema: { params: paramsSchema, response: { 200: userSchema } } }, (req) => ({ id: req.params.id, name: `User ${req.params.id}`, email: `user${req.params.id}@example.com` }));
  await app.listen({ port, host });
  return { close: () => app.close() };
}
