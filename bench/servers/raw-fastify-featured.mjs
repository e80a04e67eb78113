/**
 * Raw Fastify, feature-equalized: the heap-equalized server (raw-fastify-equalized.mjs: the same
 * modules loaded as @fleet/core) that also sends Fleet's default security headers, set the way a
 * Fastify user would set fixed headers: one synchronous `onRequest` hook calling
 * `reply.headers()` with a precomputed object. (`@fastify/helmet` with the same policy runs helmet
 * per request and costs far more: bench/security.mjs measured +24 to 26 us per request.)
 *
 * Against this baseline Fleet and raw Fastify do the same work per request, headers included.
 */
// Loads (and retains) what @fleet/core loads, as the heap-equalized server does.
import './raw-fastify-equalized.mjs';
import { build } from './raw-fastify.mjs';

/** What @fleet/core's `computeSecurityHeaders()` returns for its default policy (the runner checks it). */
export const SECURITY_HEADERS = Object.freeze({
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
});

export async function start({ port, host }) {
  const app = build();
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  await app.listen({ port, host });
  return { close: () => app.close() };
}
