import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from '../app/logger.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { formatLsn } from '../data/lsn.js';
import type { SessionPositionStore } from '../data/session-positions.js';

/**
 * Loads a session with its position in one round trip: slides both TTLs, returns
 * `[data, position]` (position false when none), or nil when there is no session. The position
 * is never extended for a session that is gone.
 */
const LOAD = `local data = redis.call('GETEX', KEYS[1], 'EX', ARGV[1])
if not data then return nil end
local pos = redis.call('GET', KEYS[2])
if pos then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return {data, pos}`;

/**
 * Raises a session's position to ARGV[1] if it is higher, with the session's remaining TTL.
 * LSNs (`hi/lo`, two 32-bit hex halves) are compared half by half: each half is exact in a Lua
 * number, the whole 64-bit value is not. A session that is gone (logout, expiry) gets no
 * position, so a write finishing after a logout does not bring one back.
 */
const RAISE = `local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
local nh, nl = string.match(ARGV[1], '^(%x+)/(%x+)$')
nh, nl = tonumber(nh, 16), tonumber(nl, 16)
local cur = redis.call('GET', KEYS[2])
if cur then
  local ch, cl = string.match(cur, '^(%x+)/(%x+)$')
  if ch then
    ch, cl = tonumber(ch, 16), tonumber(cl, 16)
    if nh < ch or (nh == ch and nl <= cl) then return 0 end
  end
end
if ttl > 0 then redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[2], ARGV[1]) end
return 1`;

interface Script { lua: string; sha: string }
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const LOAD_SCRIPT = script(LOAD);

/** The session a request belongs to after `start` (its new id) or `destroy` (null), overriding its cookie. */
const kSessionId = Symbol('fleet.sessions.id');
type Marked = FastifyRequest & { [kSessionId]?: string | null };

export function markRequestSession(req: FastifyRequest, id: string | null): void {
  (req as Marked)[kSessionId] = id;
}

/**
 * Read-your-writes positions kept beside each session, under `<session key>:lsn`, in
 * PostgreSQL's LSN text form: read with the session in one round trip, raised (never lowered)
 * after writes, deleted with the session. A separate key rather than a field of the session
 * value, so instances of an older version still read sessions as plain strings during a
 * rolling deploy (see docs/decisions/015-lsn-in-session.md).
 */
export class SessionPositions implements SessionPositionStore {
  /** True while raising fails: logged once per outage, not once per write. */
  private failing = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlSeconds: number,
    private readonly log: Logger,
    private readonly cookieIdOf: (req: FastifyRequest) => string | undefined,
  ) {}

  /** The Redis key of a session's position. */
  key(dataKey: string): string {
    return `${dataKey}:lsn`;
  }

  /** The session's value and stored position (undefined without a session), sliding both TTLs. */
  async load(dataKey: string): Promise<{ raw: string; position: string | undefined } | undefined> {
    const found = await evalScript(this.redis.client, LOAD_SCRIPT, [dataKey, this.key(dataKey)], [this.ttlSeconds]) as [string, string | null] | null;
    if (found === null) return undefined;
    return { raw: found[0], position: found[1] ?? undefined };
  }

  raise(req: FastifyRequest, lsn: number): void {
    const marked = (req as Marked)[kSessionId];
    const id = marked === undefined ? this.cookieIdOf(req) : marked;
    if (!id || !Number.isFinite(lsn) || lsn <= 0) return;
    const dataKey = this.redis.key('sess', id);
    let client: Redis;
    try {
      client = this.redis.client;
    } catch (err) {
      this.failed(err);
      return;
    }
    // Not awaited: the command is written to Redis now, before the response that follows this
    // write, and Redis applies commands in arrival order; the response token covers a failure.
    // EVAL, not EVALSHA: a NOSCRIPT retry would go out a round trip later, after the response.
    client.eval(RAISE, 2, dataKey, this.key(dataKey), formatLsn(lsn)).then(() => { this.failing = false; }, (err: unknown) => this.failed(err));
  }

  private failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.log.warn({ err }, 'sessions: could not store the read-your-writes position in the session; the response token still carries it');
  }
}

function evalScript(client: Redis, s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
  return client.evalsha(s.sha, keys.length, ...keys, ...args).catch((error: unknown) => {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return client.eval(s.lua, keys.length, ...keys, ...args);
  });
}
