import { createServer, ServerResponse, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerOptions } from 'node:http';
import type { FastifyServerFactory } from 'fastify';

type StoreHeader = (this: ServerResponse, firstLine: string, headers: OutgoingHttpHeaders | readonly unknown[] | null) => void;

/**
 * Node's method that turns a response's status line and headers into the header block, once per
 * response (`writeHead`, or the first write). Not in Node's documented API, though unchanged
 * from Node 0.x to 24; when it is missing, `secureServerFactory` returns undefined and the
 * headers are set by a hook instead (`installSecurity`).
 */
const storeHeader = (ServerResponse.prototype as unknown as { _storeHeader?: StoreHeader })._storeHeader;

/**
 * The precomputed security headers written by the Node response itself (decision 006): the
 * header lines are one string built at boot and put after the status line of every response this
 * server sends (routes, hooks that answer, errors, 404s, plugins), with no per-request copy into
 * the reply and no per-header validation. A header the reply already has (Fastify lowercases
 * names) is left out, so a handler's own `reply.header('cache-control', ...)` wins.
 *
 * `app.fastify.inject()` does not go through the Node server, so injected responses do not get
 * them (nor the server timeouts); requests over HTTP always do. @internal
 */
export function secureServerFactory(headers: Readonly<Record<string, string>>): FastifyServerFactory | undefined {
  const entries = Object.entries(headers);
  if (entries.length === 0 || typeof storeHeader !== 'function') return undefined;
  const names = entries.map(([name]) => name);
  const block = entries.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  /** Only when the reply set one of the names itself: the lines of the others. */
  const linesWithout = (has: (name: string) => boolean): string => entries.filter(([name]) => !has(name)).map(([name, value]) => `${name}: ${value}\r\n`).join('');

  function linesFor(given: OutgoingHttpHeaders | readonly unknown[] | null): string {
    if (!given) return block;
    if (Array.isArray(given)) {
      const flat = given.length > 0 && Array.isArray(given[0]) ? (given as unknown[][]).map((e) => e[0]) : given.filter((_, i) => i % 2 === 0);
      const present = new Set(flat.map((n) => String(n).toLowerCase()));
      return present.size === 0 ? block : linesWithout((n) => present.has(n));
    }
    const map = given as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      if (map[names[i]!] !== undefined) return linesWithout((n) => map[n] !== undefined);
    }
    return block;
  }

  class SecureResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  Object.defineProperty(SecureResponse.prototype, '_storeHeader', {
    value: function secureStoreHeader(this: ServerResponse, firstLine: string, given: OutgoingHttpHeaders | readonly unknown[] | null) {
      return storeHeader!.call(this, firstLine + linesFor(given), given);
    },
    writable: true,
    configurable: true,
  });

  // What Fastify does for its own HTTP/1 server (lib/server.js), with the response class added.
  return (handler, options) => {
    const opts = options as { http?: ServerOptions; keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
    const server: Server = createServer({ ...opts.http, ServerResponse: SecureResponse }, handler);
    if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
    if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
    server.setTimeout(opts.connectionTimeout ?? 0);
    return server;
  };
}
