import type { FastifyRequest } from 'fastify';

/**
 * Where read-your-writes keeps a request's position beyond the response token: the server-side
 * session (implemented by `Sessions`, handed over at boot only when the app has both sessions and
 * read-your-writes). See docs/decisions/015-lsn-in-session.md.
 */
export interface SessionPositionStore {
  /**
   * Raises the position stored in the session `req` belongs to, to `lsn` (never lowers it;
   * nothing when the request has no live session). Called after a write, before the write's
   * promise resolves: the command is on its way to Redis before the response is.
   */
  raise(req: FastifyRequest, lsn: number): void;
}

/** @internal Filled at boot by `Sessions`; read by `RequestConsistency` after each write. */
export interface SessionPositionSlot {
  store?: SessionPositionStore;
}
