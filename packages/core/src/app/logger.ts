import type { FastifyBaseLogger } from 'fastify';

/**
 * The application's logger (pino, shared with Fastify): inject it by type,
 * `constructor(private readonly log: Logger) {}`. It is the root logger: for lines that carry the
 * request id, log with `request.log` (from `@Req()` or `RequestContext.request`).
 */
export abstract class Logger {}
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Logger extends FastifyBaseLogger {}
