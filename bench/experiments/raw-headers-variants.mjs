/**
 * Raw Fastify sending Fleet's default security headers, applied in different ways (decision 006).
 * The variant is the file name that imports this module: see raw-headers-*.mjs. Shared here so
 * every variant serves the routes of bench/servers/raw-fastify.mjs with the same headers.
 */
import { createServer, ServerResponse } from 'node:http';
import Fastify from 'fastify';
import fastifySymbols from 'fastify/lib/symbols.js';

const { kReplyHeaders } = fastifySymbols;
import { paramsSchema, userSchema } from '../servers/raw-fastify.mjs';

/** What `computeSecurityHeaders()` returns for Fleet's default policy. */
export const HEADERS = Object.freeze({
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
});
const NAMES = Object.keys(HEADERS);
const ENTRIES = Object.entries(HEADERS);

const find = (id) => (id > 1_000_000 ? undefined : { id, name: `User ${id}`, email: `user${id}@example.com` });

export function build(variant) {
  let opts = { logger: false };
  if (variant === 'response-class') {
    // Precomputed header lines written after the status line, skipping names the reply set itself.
    const BLOCK = ENTRIES.map(([k, v]) => `${k}: ${v}\r\n`).join('');
    class Res extends ServerResponse {
      _storeHeader(firstLine, headers) {
        if (headers && NAMES.some((n) => headers[n] !== undefined)) return super._storeHeader(firstLine + ENTRIES.filter(([k]) => headers[k] === undefined).map(([k, v]) => `${k}: ${v}\r\n`).join(''), headers);
        return super._storeHeader(firstLine + BLOCK, headers);
      }
    }
    opts = { ...opts, serverFactory: (handler) => createServer({ ServerResponse: Res }, handler) };
  }
  const app = Fastify(opts);
  if (variant === 'hook') app.addHook('onRequest', (_req, reply, done) => { reply.headers(HEADERS); done(); });
  const apply = {
    hook: undefined,
    'response-class': undefined,
    'handler-headers': (reply) => reply.headers(HEADERS),
    'handler-internal': (reply) => {
      const h = reply[kReplyHeaders];
      for (let i = 0; i < ENTRIES.length; i++) h[ENTRIES[i][0]] = ENTRIES[i][1];
    },
    'handler-raw-set': (reply) => { for (let i = 0; i < ENTRIES.length; i++) reply.raw.setHeader(ENTRIES[i][0], ENTRIES[i][1]); },
    'on-send': undefined,
  }[variant];
  if (variant === 'on-send') app.addHook('onSend', (_req, reply, payload, done) => { reply.headers(HEADERS); done(null, payload); });
  if (apply) {
    app.get('/hello', (_req, reply) => { apply(reply); return { message: 'hello' }; });
    app.get('/users/:id', { schema: { params: paramsSchema, response: { 200: userSchema } } }, (req, reply) => {
      apply(reply);
      const user = find(req.params.id);
      return user ?? reply.code(404).send({ statusCode: 404 });
    });
  } else {
    app.get('/hello', () => ({ message: 'hello' }));
    app.get('/users/:id', { schema: { params: paramsSchema, response: { 200: userSchema } } }, (req, reply) => find(req.params.id) ?? reply.code(404).send({ statusCode: 404 }));
  }
  return app;
}

export function starter(variant) {
  return async ({ port, host }) => {
    const app = build(variant);
    await app.listen({ port, host });
    return { close: () => app.close() };
  };
}
