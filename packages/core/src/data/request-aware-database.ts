import { Logger } from '../app/logger.js';
import { RequestContext } from '../context/request-context.js';
import { Inject, Injectable } from '../di/decorators.js';
import { kSessionPositions } from './consistency.js';
import { Database } from './database.js';
import { DatabaseConfig } from './database-config.js';
import { DATABASE_OPTIONS, type ResolvedDatabaseOptions } from './database-options.js';
import type { SessionPositionSlot, SessionPositionStore } from './session-positions.js';

/**
 * The `Database` provided when read-your-writes is on. Injecting `RequestContext` is what makes
 * Fleet enter the per-request AsyncLocalStorage (about 4 us per request on Node 20), so only
 * this variant asks for it; the position itself is read from the store the context enters.
 */
@Injectable()
export class RequestAwareDatabase extends Database {
  /** Where `Sessions` plugs in at boot (empty in apps without sessions: writes then touch no session). */
  private readonly sessionPositions: SessionPositionSlot;

  constructor(config: DatabaseConfig, log: Logger, @Inject(DATABASE_OPTIONS) options: ResolvedDatabaseOptions, context: RequestContext) {
    const sessionPositions: SessionPositionSlot = {};
    super(config, log, Object.freeze({ ...options, [kSessionPositions]: sessionPositions }));
    this.sessionPositions = sessionPositions;
    void context;
    this.trackRequests();
  }

  /** @internal Called by `Sessions` at boot: from then on, each write of a request with a session raises the session's position. */
  keepPositionsIn(store: SessionPositionStore): void {
    this.sessionPositions.store = store;
  }
}
