import type { FastifyRequest } from 'fastify';
import { formatLsn, parseLsn } from './lsn.js';
import type { ResolvedDatabaseOptions } from './database-options.js';
import { openReplyOf } from './reply-link.js';

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
type Tracked = FastifyRequest & { [kState]?: ConsistencyState };

/** A token is the LSN as PostgreSQL prints it, e.g. `0/16B3748` (see docs/decisions/012). */
export function tokenOf(state: ConsistencyState | undefined): string | undefined {
  return state !== undefined && state.lsn > 0 && Number.isFinite(state.lsn) ? formatLsn(state.lsn) : undefined;
}

export function stateFromToken(token: string | undefined): ConsistencyState {
  return { lsn: parseLsn(token) ?? 0 };
}

/**
 * Read-your-writes inside HTTP requests: the position lives on the request (found through the
 * RequestContext store); a token sent back by the client (header or cookie) seeds it; after a
 * write the new token goes out on the response. A request that carries no token and writes
 * nothing allocates nothing.
 */
export class RequestConsistency {
  private readonly header: string;
  private readonly cookiePrefix: string | undefined;
  private readonly cookieAttributes: string;

  constructor(options: ResolvedDatabaseOptions) {
    this.header = options.tokenHeader;
    this.cookiePrefix = options.tokenCookie === false ? undefined : `${options.tokenCookie}=`;
    this.cookieAttributes = `; Path=/; Max-Age=${options.cookieMaxAgeSeconds}; HttpOnly; SameSite=Lax`;
  }

  /** The position reads of this request must reach (0: any usable replica will do). */
  required(req: FastifyRequest): number {
    const state = (req as Tracked)[kState];
    if (state !== undefined) return state.lsn;
    const incoming = this.incoming(req);
    return incoming === undefined ? 0 : this.stateOf(req).lsn;
  }

  /** The request's state, created on first use from the incoming token. */
  stateOf(req: FastifyRequest): ConsistencyState {
    const tracked = req as Tracked;
    let state = tracked[kState];
    if (state === undefined) {
      state = { lsn: parseLsn(this.incoming(req)) ?? 0, req };
      tracked[kState] = state;
    }
    return state;
  }

  /** The request's state if it has one or carries a token, without creating one. */
  peek(req: FastifyRequest): ConsistencyState | undefined {
    return (req as Tracked)[kState] ?? (this.incoming(req) === undefined ? undefined : this.stateOf(req));
  }

  /** Puts the token on the response (header, and cookie unless disabled), replacing an earlier one. */
  emit(state: ConsistencyState): void {
    const token = tokenOf(state);
    if (token === undefined || state.req === undefined) return;
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
