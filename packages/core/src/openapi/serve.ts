import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FleetError } from '../errors.js';
import type { ResolvedOpenApiOptions } from './options.js';
import { REFERENCE_PAGE_CSP, referencePage } from './reference-page.js';

/**
 * Two GET routes: the document (serialised once, with an ETag so a client that has it gets 304)
 * and, when `ui` is set, the reference page. Other routes are untouched: nothing here runs for them.
 */
export function serveOpenApi(fastify: FastifyInstance, text: string, options: ResolvedOpenApiOptions): void {
  for (const [path, option] of [[options.path, 'path'], [options.ui, 'ui']] as const) {
    if (path !== undefined && fastify.hasRoute({ method: 'GET', url: path })) {
      throw new FleetError('FLEET_ERR_OPENAPI_PATH_TAKEN', `openapi.${option} is ${path}, but a route already answers GET ${path}. ` +
        `Fix: choose another path (createApp({ openapi: { ${option}: '/...' } })), or move that route.`);
    }
  }
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  fastify.get(options.path, (request, reply) => {
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(text);
  });
  if (options.ui === undefined) return;
  const page = referencePage(options.ui, options.path, options.info.title);
  fastify.get(options.ui, (_request, reply) => reply
    .header('content-security-policy', REFERENCE_PAGE_CSP)
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(page));
}
