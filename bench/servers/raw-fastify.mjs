/**
 * Raw Fastify serving the same routes as bench/servers/fleet.ts, by hand.
 * Handlers are synchronous and return the value, like the Fleet controller methods (Fastify 5
 * sends a handler's non-promise return value), so neither side pays for a promise the other
 * does not.
 */
import Fastify from 'fastify';

export const paramsSchema = {
  type: 'object',
  properties: { id: { type: 'integer', exclusiveMinimum: 0 } },
  required: ['id'],
  additionalProperties: false,
};

export const userSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string' } },
  required: ['id', 'name', 'email'],
  additionalProperties: false,
};

const users = {
  find(id) {
    if (id > 1_000_000) return undefined;
    return { id, name: `User ${id}`, email: `user${id}@example.com` };
  },
};

export function build() {
  const app = Fastify({ logger: false });
  app.get('/hello', () => ({ message: 'hello' }));
  app.get('/users/:id', { schema: { params: paramsSchema, response: { 200: userSchema } } }, (req, reply) => {
    const { id } = req.params;
    const user = users.find(id);
    if (!user) return reply.code(404).send({ statusCode: 404, message: `user ${id} not found` });
    return user;
  });
  return app;
}

export async function start({ port, host }) {
  const app = build();
  await app.listen({ port, host });
  return { close: () => app.close() };
}
