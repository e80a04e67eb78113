import type { FastifyBaseLogger } from 'fastify';

/**
 * The application's logger (pino, shared with Fastify): inject it by type,
 * `constructor(private readonly log: Logger) {}`. Lines logged during a request carry its id.
 */
export abstract class Logger {}
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Logger extends FastifyBaseLogger {}
