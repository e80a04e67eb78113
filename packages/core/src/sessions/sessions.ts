import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Inject, Injectable, Optional } from '../di/decorators.js';
import { FrameworkOwned } from '../state/allow-state.js';
import { RedisConnection } from '../redis/redis-connection.js';
import { AppEnvironment } from '../app/environment.js';
import { Logger } from '../app/logger.js';
import { FleetError } from '../errors.js';
import { Database } from '../data/database.js';
import { RequestAwareDatabase } from '../data/request-aware-database.js';
import { noteSessionPosition, positionOf } from '../data/consistency.js';
import { formatLsn, parseLsn } from '../data/lsn.js';
import { SessionsConfig } from './sessions-config.js';
import { readCookie, serializeCookie, sign, unsign } from './cookie.js';
import { markRequestSession, SessionPositions } from './session-positions.js';

/** A server-side session: its id (never sent unsigned) and its data. */
export interface Session<T = Record<string, unknown>> {
  readonly id: string;
  readonly data: T;
  /**
   * The read-your-writes position stored with the session (a PostgreSQL LSN such as `0/3A0C9F8`):
   * the highest position written by any request of this session, on any instance. Present only
   * when the app also uses `DatabaseModule` with read-your-writes and the session has written.
   */
  readonly position?: string;
}

/**
 * Server-side sessions in Redis, readable by every instance: the cookie carries only a signed
 * random id (`HttpOnly`, `SameSite=Lax`, `Secure` in production); the data lives under the
 * app's Redis namespace with an idle TTL that every read slides.
 *
 * `start` on login always issues a new id (no session fixation); `destroy` on logout deletes it.
 *
 * With `DatabaseModule` read-your-writes on (decided at boot), a session also keeps the highest
 * WAL position its requests wrote, on any instance: `get` loads it with the session (same round
 * trip) and the request's reads then wait for it; `destroy` drops it.
 */
@Injectable()
@FrameworkOwned()
export class Sessions {
  private readonly secrets: string[];
  /** Read-your-writes positions kept with sessions (undefined without read-your-writes: no cost). */
  private readonly positions?: SessionPositions;

  constructor(
    private readonly redis: RedisConnection,
    private readonly config: SessionsConfig,
    private readonly env: AppEnvironment,
    log: Logger,
    @Optional() @Inject(Database) database?: Database,
  ) {
    this.secrets = Object.freeze(config.SESSION_SECRET.split(',').map((s) => s.trim())) as string[];
    if (database instanceof RequestAwareDatabase) {
      this.positions = new SessionPositions(redis, config.SESSION_TTL_SECONDS, log, (req) => this.idOf(req));
      database.keepPositionsIn(this.positions);
    }
  }

  /**
   * Starts a session (login): drops the session the request carried, if any, and sets the cookie
   * of a new one. With read-your-writes, the new session starts at the position this request
   * has reached, and later writes of this request go to it.
   */
  async start<T extends object>(req: FastifyRequest, reply: FastifyReply, data: T): Promise<Session<T>> {
    const previous = this.idOf(req);
    const id = randomBytes(32).toString('base64url');
    const ttl = this.config.SESSION_TTL_SECONDS;
    const multi = this.redis.client.multi().set(this.key(id), JSON.stringify(data), 'EX', ttl);
    const positions = this.positions;
    const lsn = positions === undefined ? 0 : positionOf(req);
    const position = lsn > 0 ? formatLsn(lsn) : undefined;
    if (position !== undefined) multi.set(positions!.key(this.key(id)), position, 'EX', ttl);
    if (previous) {
      if (positions === undefined) multi.del(this.key(previous));
      else multi.del(this.key(previous), positions.key(this.key(previous)));
    }
    await available(multi.exec());
    if (positions !== undefined) markRequestSession(req, id);
    reply.header('set-cookie', serializeCookie(this.config.SESSION_COOKIE, sign(id, this.secrets[0]!), { maxAgeSeconds: ttl, secure: this.env.production }));
    return position === undefined ? { id, data } : { id, data, position };
  }

  /**
   * The request's session, or undefined (no cookie, bad signature, expired). Slides the idle TTL.
   * With read-your-writes, the session's position comes in the same round trip and becomes a
   * floor for the request's reads from now on: load the session before reading for its user.
   */
  async get<T = Record<string, unknown>>(req: FastifyRequest): Promise<Session<T> | undefined> {
    const id = this.idOf(req);
    if (!id) return undefined;
    if (this.positions !== undefined) {
      const found = await available(this.positions.load(this.key(id)));
      if (found === undefined) return undefined;
      const data = JSON.parse(found.raw) as T;
      if (found.position === undefined) return { id, data };
      noteSessionPosition(req, parseLsn(found.position));
      return { id, data, position: found.position };
    }
    const raw = await available(this.redis.client.getex(this.key(id), 'EX', this.config.SESSION_TTL_SECONDS));
    return raw === null ? undefined : { id, data: JSON.parse(raw) as T };
  }

  /** Replaces the data of the request's session; false when there is none. */
  async update<T extends object>(req: FastifyRequest, data: T): Promise<boolean> {
    const id = this.idOf(req);
    if (!id) return false;
    return (await available(this.redis.client.set(this.key(id), JSON.stringify(data), 'EX', this.config.SESSION_TTL_SECONDS, 'XX'))) === 'OK';
  }

  /** Ends the request's session (logout) and clears the cookie; true when one existed. Its read-your-writes position goes with it. */
  async destroy(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const id = this.idOf(req);
    reply.header('set-cookie', serializeCookie(this.config.SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: this.env.production }));
    if (!id) return false;
    const positions = this.positions;
    if (positions === undefined) return (await available(this.redis.client.del(this.key(id)))) === 1;
    markRequestSession(req, null);
    const results = await available(this.redis.client.multi().del(this.key(id)).del(positions.key(this.key(id))).exec());
    return results?.[0]?.[1] === 1;
  }

  private idOf(req: FastifyRequest): string | undefined {
    const cookie = readCookie(req.headers.cookie, this.config.SESSION_COOKIE);
    return cookie ? unsign(cookie, this.secrets) : undefined;
  }

  private key(id: string): string {
    return this.redis.key('sess', id);
  }
}

/**
 * A session operation Redis did not answer: a 503 with a stable code (the client may retry), not
 * a 500 carrying the driver's message.
 */
function available<T>(call: Promise<T>): Promise<T> {
  return call.catch((cause: unknown) => {
    if (cause instanceof FleetError) throw cause;
    throw new FleetError('FLEET_ERR_REDIS_UNAVAILABLE', `Sessions are unavailable: Redis did not answer (${(cause as Error)?.message ?? String(cause)}). Fix: check that Redis is reachable (REDIS_URL; GET /health/ready shows it); the client may retry.`, { cause });
  });
}
