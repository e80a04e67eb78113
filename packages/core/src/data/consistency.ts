import type { FastifyRequest } from 'fastify';
import { formatLsn, parseLsn } from './lsn.js';
import type { ResolvedDatabaseOptions } from './database-options.js';
import { openReplyOf } from './reply-link.js';
import type { SessionPositionSlot } from './session-positions.js';

/**
 * The WAL position a request, job or instance must read at or beyond: 0 when it has written
 * nothing and carried no token; Infinity when a write's position could not be read (its reads
 * then go to the primary).
 */
export interface ConsistencyState {
  lsn: number;
  /** The request whose response carries the token (request states only). */
  req?: FastifyRequest;
}

const kState = Symbol('fleet.data.consistency');
const kSessionFloor = Symbol('fleet.data.sessionFloor');
type Tracked = FastifyRequest & { [kState]?: ConsistencyState; [kSessionFloor]?: number };

/**
 * @internal How `RequestAwareDatabase` hands `RequestConsistency` the app's session store:
 * `Database` passes the options it was constructed with to `RequestConsistency` unchanged.
 */
export const kSessionPositions = Symbol('fleet.data.sessionPositions');
export type ConsistencyOptions = ResolvedDatabaseOptions & { readonly [kSessionPositions]?: SessionPositionSlot };

/**
 * Records the position the request's session held when it was loaded (`Sessions.get`): reads of
 * the request from now on reach at least it, on top of any token the request carried.
 */
export function noteSessionPosition(req: FastifyRequest, lsn: number | undefined): void {
  const tracked = req as Tracked;
  if (lsn === undefined || !(lsn > (tracked[kSessionFloor] ?? 0))) return;
  tracked[kSessionFloor] = lsn;
  const state = tracked[kState];
  if (state !== undefined) advance(state, lsn);
}

/** The known position the request has reached (its writes, its session): what a session it starts begins with; 0 for none. */
export function positionOf(req: FastifyRequest): number {
  const tracked = req as Tracked;
  const lsn = tracked[kState]?.lsn ?? 0;
  return Number.isFinite(lsn) ? Math.max(lsn, tracked[kSessionFloor] ?? 0) : tracked[kSessionFloor] ?? 0;
}

/** A token is the LSN as PostgreSQL prints it, e.g. `0/16B3748` (see docs/decisions/012). */
export function tokenOf(state: ConsistencyState | undefined): string | undefined {
  return state !== undefined && state.lsn > 0 && Number.isFinite(state.lsn) ? formatLsn(state.lsn) : undefined;
}

export function stateFromToken(token: string | undefined): ConsistencyState {
  return { lsn: parseLsn(token) ?? 0 };
}

/**
 * Read-your-writes inside HTTP requests: the position lives on the request (found through the
 * RequestContext store); a token sent back by the client (header or cookie) and the position of
 * the request's session (once `Sessions.get` loaded it) seed it, the highest winning; after a
 * write the new token goes out on the response and, with sessions, into the session. A request
 * that carries no token, loads no session and writes nothing allocates nothing.
 */
export class RequestConsistency {
  private readonly header: string;
  private readonly cookiePrefix: string | undefined;
  private readonly cookieAttributes: string;
  private readonly sessions: SessionPositionSlot | undefined;

  constructor(options: ConsistencyOptions) {
    this.sessions = options[kSessionPositions];
    this.header = options.tokenHeader;
    this.cookiePrefix = options.tokenCookie === false ? undefined : `${options.tokenCookie}=`;
    this.cookieAttributes = `; Path=/; Max-Age=${options.cookieMaxAgeSeconds}; HttpOnly; SameSite=Lax`;
  }

  /** The position reads of this request must reach (0: any usable replica will do). */
  required(req: FastifyRequest): number {
    const tracked = req as Tracked;
    const state = tracked[kState];
    if (state !== undefined) return state.lsn;
    return tracked[kSessionFloor] === undefined && this.incoming(req) === undefined ? 0 : this.stateOf(req).lsn;
  }

  /** The request's state, created on first use from the incoming token and the session's position (the highest). */
  stateOf(req: FastifyRequest): ConsistencyState {
    const tracked = req as Tracked;
    let state = tracked[kState];
    if (state === undefined) {
      state = { lsn: Math.max(parseLsn(this.incoming(req)) ?? 0, tracked[kSessionFloor] ?? 0), req };
      tracked[kState] = state;
    }
    return state;
  }

  /** The request's state if it has one, carries a token or loaded a session position, without creating one. */
  peek(req: FastifyRequest): ConsistencyState | undefined {
    const tracked = req as Tracked;
    return tracked[kState] ?? (tracked[kSessionFloor] === undefined && this.incoming(req) === undefined ? undefined : this.stateOf(req));
  }

  /**
   * After a write moved the request's position: stores it in the request's session (when the app
   * has sessions) and puts the token on the response (header, and cookie unless disabled),
   * replacing an earlier one.
   */
  emit(state: ConsistencyState): void {
    const token = tokenOf(state);
    if (token === undefined || state.req === undefined) return;
    this.sessions?.store?.raise(state.req, state.lsn);
    const reply = openReplyOf(state.req);
    if (reply === undefined) return;
    reply.header(this.header, token);
    if (this.cookiePrefix === undefined) return;
    const secure = state.req.protocol === 'https' ? '; Secure' : '';
    const cookie = `${this.cookiePrefix}${token}${this.cookieAttributes}${secure}`;
    const existing = reply.getHeader('set-cookie');
    if (existing === undefined) { reply.header('set-cookie', cookie); return; }
    const others = (Array.isArray(existing) ? existing : [String(existing)]).filter((c) => !c.startsWith(this.cookiePrefix!));
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', [...others, cookie]);
  }

  /** The token the client sent back: the header wins over the cookie; invalid tokens are ignored. */
  private incoming(req: FastifyRequest): string | undefined {
    const headers = req.headers;
    const fromHeader = headers[this.header];
    if (typeof fromHeader === 'string' && parseLsn(fromHeader) !== undefined) return fromHeader;
    if (this.cookiePrefix === undefined) return undefined;
    const cookies = headers.cookie;
    if (cookies === undefined) return undefined;
    let at = cookies.indexOf(this.cookiePrefix);
    while (at > 0 && cookies[at - 1] !== ' ' && cookies[at - 1] !== ';') at = cookies.indexOf(this.cookiePrefix, at + 1);
    if (at < 0) return undefined;
    const start = at + this.cookiePrefix.length;
    const end = cookies.indexOf(';', start);
    const value = cookies.slice(start, end < 0 ? undefined : end).trim();
    return parseLsn(value) === undefined ? undefined : value;
  }
}

/** Moves a state forward to `lsn` (positions never go back). */
export function advance(state: ConsistencyState, lsn: number): boolean {
  if (lsn <= state.lsn) return false;
  state.lsn = lsn;
  return true;
}
