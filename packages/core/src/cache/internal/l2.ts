import { createHash } from 'node:crypto';
import { Command, type Redis } from 'ioredis';
import type { Logger } from '../../app/logger.js';
import type { RedisConnection } from '../../redis/redis-connection.js';
import { decodeEnvelope, type Envelope } from '../json-value.js';
import { CommandDeadlines } from './command-deadlines.js';
import { SCRIPTS, type Script } from './l2-scripts.js';

/** What one L2 read found, and what a fill after it needs. */
export interface L2Read {
  /** The entry, when present and its tags were not invalidated since it was written. */
  readonly entry: Envelope | undefined;
  /** The entry was written during an invalidation hold (see `CACHE_INVALIDATION_HOLD_MS`); meaningful only with an entry. */
  readonly held: boolean;
  /** Current versions of the key and its tags ('0' when never invalidated). */
  readonly versions: readonly string[];
  /** An invalidation hold is active on the key or a tag. */
  readonly holdActive: boolean;
  /** The fill lock of the key is held (only asked while waiting for it). */
  readonly lockHeld: boolean;
  /**
   * A plain read's view of the value key ('' when it had none): a fill after it stores only while
   * the value is unchanged (`STORE_PLAIN_LUA`). Undefined for reads that carry versions.
   */
  readonly seen?: string;
}

/** Outcome of storing a fill. */
export type StoreOutcome = 'stored' | 'held' | 'conflict' | 'failed';

export interface L2Settings {
  timeoutMs: number;
  retryMs: number;
  holdMs: number;
  /** How long an invalidation blocks fills that read before it (and the longest fill that may store). */
  guardMs: number;
}

class L2TimeoutError extends Error {
  constructor(ms: number) { super(`Redis did not answer the cache within ${ms} ms`); }
}

/** What ioredis's own `get`/`mget` pass to a command (the app's client has no `keyPrefix`: RedisConnection prefixes names itself). */
const UTF8 = Object.freeze({ replyEncoding: 'utf8' as const });
const NOTHING: Promise<undefined> = Promise.resolve(undefined);
const NO_VERSIONS: readonly string[] = Object.freeze([]);

/**
 * The cache's Redis side: one round trip per read (a GET of the value for a plain read, without
 * tags or holds; otherwise an MGET of the value, the versions and holds),
 * scripts for conditional stores, write-through and invalidation. Every command has its own
 * deadline (`timeoutMs`, kept by `CommandDeadlines`: no timer or promise of its own per command); a
 * failure or timeout opens a breaker for `retryMs` during which L2 is skipped (no wait per call),
 * logged once per outage (and its end) and counted. No method throws. Commands are ioredis
 * `Command`s sent directly, so the hot read is decoded in the same promise reaction that
 * receives the reply (see decision 047).
 */
export class L2Store {
  readonly stats = { errors: 0 };
  private downUntil = 0;
  private down = false;
  private readonly deadlines: CommandDeadlines;

  /** Key prefixes, computed once: `<prefix><app>:cache:v:` etc. */
  private readonly names: { v: string; nk: string; nt: string; hk: string; ht: string; l: string };

  constructor(private readonly redis: RedisConnection, private readonly log: Logger, readonly settings: L2Settings) {
    this.deadlines = new CommandDeadlines(settings.timeoutMs, () => new L2TimeoutError(settings.timeoutMs));
    this.names = {
      v: redis.key('cache', 'v', ''), nk: redis.key('cache', 'n', 'k', ''), nt: redis.key('cache', 'n', 't', ''),
      hk: redis.key('cache', 'h', 'k', ''), ht: redis.key('cache', 'h', 't', ''), l: redis.key('cache', 'l', ''),
    };
  }

  /** Whether L2 is used now (false for `retryMs` after a failure). */
  available(): boolean {
    return this.downUntil === 0 || performance.now() >= this.downUntil;
  }

  get isDown(): boolean { return this.down; }

  valueKey(key: string): string { return this.names.v + short(key); }
  private versionKey(kind: 'k' | 't', name: string): string { return (kind === 'k' ? this.names.nk : this.names.nt) + short(name); }
  private holdKey(kind: 'k' | 't', name: string): string { return (kind === 'k' ? this.names.hk : this.names.ht) + short(name); }
  private lockKey(key: string): string { return this.names.l + short(key); }

  /** The value, versions and holds of `key` (and whether its lock is held); undefined when L2 is unavailable. */
  read(key: string, tags: readonly string[], withLock: boolean): Promise<L2Read | undefined> {
    if (tags.length === 0 && this.settings.holdMs === 0 && !withLock) return this.readThen(key, tags, identity);
    const hold = this.settings.holdMs > 0;
    const keys = [this.valueKey(key), this.versionKey('k', key)];
    for (const t of tags) keys.push(this.versionKey('t', t));
    if (hold) {
      keys.push(this.holdKey('k', key));
      for (const t of tags) keys.push(this.holdKey('t', t));
    }
    if (withLock) keys.push(this.lockKey(key));
    return this.call<Array<string | null>>('mget', keys).then((replies) => replies && parseRead(replies, tags, hold, withLock));
  }

  /**
   * `read(key, tags, false)` followed by `next`, which runs in the same promise reaction as the
   * decoding (one hop after the reply, as a raw GET followed by `.then(JSON.parse)`). Without tags
   * and holds (the common read) it is one GET of the value, decoded without intermediate objects;
   * a fill after it stores on the value it saw (decision 048). `next` receives undefined when L2
   * is unavailable or failed.
   */
  readThen<R>(key: string, tags: readonly string[], next: (read: L2Read | undefined) => R | Promise<R>): Promise<R> {
    if (tags.length !== 0 || this.settings.holdMs !== 0) return this.read(key, tags, false).then(next);
    const client = this.usableClient();
    if (client === undefined) return NOTHING.then(next);
    const command = new Command('get', [this.valueKey(key)], UTF8);
    const slot = this.deadlines.add(command);
    client.sendCommand(command);
    return (command.promise as Promise<string | null>).then(
      (raw) => {
        this.deadlines.done(slot);
        if (this.down) this.succeeded(undefined);
        return next(plainRead(raw));
      },
      (error: unknown) => {
        this.deadlines.done(slot);
        return next(this.failed(error));
      },
    );
  }

  /** The entry of `key` whatever its tags (for `Cache.get`): a second round trip checks the versions of the tags it has. */
  async readAny(key: string): Promise<L2Read | undefined> {
    const raw = await this.call<string | null>('get', [this.valueKey(key)]);
    if (raw === undefined) return undefined;
    const env = raw === null ? undefined : decodeStored(raw);
    if (env === undefined || env.envelope.tags.length === 0) return parseRead([raw, null], [], false, false);
    const current = await this.call<Array<string | null>>('mget', env.envelope.tags.map((t) => this.versionKey('t', t)));
    if (current === undefined) return undefined;
    return parseRead([raw, null, ...current], env.envelope.tags, false, false);
  }

  /** Stores a fill unless its key or tags were invalidated since `read`. */
  async store(key: string, tags: readonly string[], envelope: string, lifeMs: number, read: L2Read): Promise<StoreOutcome> {
    const hold = this.settings.holdMs > 0;
    if (read.seen !== undefined && tags.length === 0 && !hold) {
      const stored = await this.script(SCRIPTS.storePlain, [this.valueKey(key)], [envelope, Math.max(1, Math.ceil(lifeMs)), read.seen]);
      return stored === undefined ? 'failed' : stored === 1 ? 'stored' : 'conflict';
    }
    const keys = [this.valueKey(key), this.versionKey('k', key), ...tags.map((t) => this.versionKey('t', t))];
    if (hold) keys.push(this.holdKey('k', key), ...tags.map((t) => this.holdKey('t', t)));
    const px = Math.max(1, Math.ceil(lifeMs));
    const mode = !hold ? '0' : read.holdActive ? '2' : '1';
    const args = [envelope, px, tags.length + 1, mode, px + this.settings.guardMs, ...read.versions];
    const result = await this.script(SCRIPTS.store, keys, args);
    if (result === undefined) return 'failed';
    return result === 1 ? 'stored' : result === 2 ? 'held' : 'conflict';
  }

  /** Write-through: stores the value, bumps the key's version, publishes `message`. Resolves with PUBLISH's count, undefined on failure. */
  put(key: string, tags: readonly string[], envelope: string, lifeMs: number, channel: string, message: string): Promise<number | undefined> {
    const keys = [this.valueKey(key), this.versionKey('k', key), ...tags.map((t) => this.versionKey('t', t))];
    const px = Math.max(1, Math.ceil(lifeMs));
    return this.script(SCRIPTS.put, keys, [envelope, px, this.settings.guardMs, px + this.settings.guardMs, channel, message])
      .then((n) => (n === undefined ? undefined : Number(n)));
  }

  /** Deletes `keys`, invalidates `tags`, publishes `message`, atomically. Resolves with PUBLISH's count, undefined on failure. */
  invalidate(keys: readonly string[], tags: readonly string[], channel: string, message: string): Promise<number | undefined> {
    const names: string[] = [];
    for (const k of keys) names.push(this.valueKey(k), this.versionKey('k', k), this.holdKey('k', k));
    for (const t of tags) names.push(this.versionKey('t', t), this.holdKey('t', t));
    const args = [keys.length, tags.length, this.settings.guardMs, this.settings.holdMs, channel, message];
    return this.script(SCRIPTS.invalidate, names, args).then((n) => (n === undefined ? undefined : Number(n)));
  }

  /** Takes the fill lock of `key`: true taken, false held by another, undefined when L2 is unavailable. */
  lock(key: string, token: string, ttlMs: number): Promise<boolean | undefined> {
    return this.call<string | null>('set', [this.lockKey(key), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX']).then((r) => (r === undefined ? undefined : r === 'OK'));
  }

  /** Releases the fill lock if `token` still holds it; tried even while L2 is considered down. */
  async unlock(key: string, token: string): Promise<void> {
    await this.script(SCRIPTS.unlock, [this.lockKey(key)], [token], true);
  }

  /** Sends an acknowledgement to another instance (best effort). */
  async publish(channel: string, message: string): Promise<void> {
    await this.call('publish', [channel, message], true);
  }

  /** Sends one command under the cache's deadline. */
  private send(client: Redis, name: string, args: Array<string | number>): Promise<unknown> {
    const command = new Command(name, args, UTF8);
    const slot = this.deadlines.add(command);
    client.sendCommand(command);
    const done = this.deadlines.done;
    return (command.promise as Promise<unknown>).then((value) => { done(slot); return value; }, (error: unknown) => { done(slot); throw error; });
  }

  /** Stops the deadline timer (shutdown). */
  stop(): void { this.deadlines.stop(); }

  /** The command client; undefined while L2 is skipped (unless `evenIfDown`) or when the connection has none (a failure, counted). */
  private usableClient(evenIfDown = false): Redis | undefined {
    if (!evenIfDown && !this.available()) return undefined;
    try {
      return this.redis.client;
    } catch (e) {
      return this.failed(e);
    }
  }

  /** Runs one Redis command; undefined (logged, counted, breaker opened) on failure or timeout. */
  private call<T>(name: string, args: Array<string | number>, evenIfDown = false): Promise<T | undefined> {
    const client = this.usableClient(evenIfDown);
    if (client === undefined) return NOTHING;
    return this.send(client, name, args).then(this.succeeded, this.failed) as Promise<T | undefined>;
  }

  /** A script by its digest, loaded with EVAL when Redis does not know it yet (each command with its own deadline). */
  private script(script: Script, keys: string[], args: Array<string | number>, evenIfDown = false): Promise<unknown> {
    const client = this.usableClient(evenIfDown);
    if (client === undefined) return NOTHING;
    return this.send(client, 'evalsha', [script.sha, keys.length, ...keys, ...args])
      .catch((error: unknown) => {
        if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
        return this.send(client, 'eval', [script.lua, keys.length, ...keys, ...args]);
      })
      .then(this.succeeded, this.failed);
  }

  private readonly succeeded = <T>(value: T): T => {
    if (this.down) {
      this.down = false;
      this.downUntil = 0;
      this.log.info('cache: Redis (L2) reachable again');
    }
    return value;
  };

  private readonly failed = (error: unknown): undefined => {
    this.stats.errors++;
    this.downUntil = performance.now() + this.settings.retryMs;
    if (!this.down) {
      this.down = true;
      this.log.warn({ err: error }, `cache: Redis (L2) unreachable: calls go to the source, L2 is skipped and retried every ${this.settings.retryMs} ms`);
    }
    return undefined;
  };
}

const identity = <T>(value: T): T => value;

/** Long keys and tags are hashed in Redis names (messages and L1 keep them whole). */
function short(name: string): string {
  return name.length <= 200 ? name : `#${createHash('sha256').update(name).digest('base64url')}`;
}

/** A stored entry: `<flag><tag versions>|<envelope>`. */
function decodeStored(raw: string): { held: boolean; versions: string[]; envelope: Envelope } | undefined {
  const bar = raw.indexOf('|');
  if (bar < 1) return undefined;
  const envelope = decodeEnvelope(raw.slice(bar + 1));
  if (envelope === undefined) return undefined;
  const list = raw.slice(1, bar);
  return { held: raw.charCodeAt(0) === 104 /* h */, versions: list === '' ? [] : list.split(','), envelope };
}

/**
 * The common read (no tags, no holds, no lock): the stored value, kept as `seen` for the fill after it. An entry
 * written for a tagged policy (tag versions before the bar, or tags in the envelope) is not this
 * policy's entry.
 */
function plainRead(raw: string | null): L2Read {
  const envelope = raw === null || raw.charCodeAt(1) !== 124 /* | */ ? undefined : decodeEnvelope(raw.slice(2));
  if (envelope === undefined || envelope.tags.length !== 0) return { entry: undefined, held: false, versions: NO_VERSIONS, holdActive: false, lockHeld: false, seen: raw ?? '' };
  return { entry: envelope, held: raw!.charCodeAt(0) === 104 /* h */, versions: NO_VERSIONS, holdActive: false, lockHeld: false, seen: raw! };
}

/** MGET replies: value, key version, tag versions, [holds], [lock]. */
function parseRead(replies: Array<string | null>, tags: readonly string[], hold: boolean, withLock: boolean): L2Read {
  const m = tags.length + 1;
  const versions = new Array<string>(m);
  for (let i = 0; i < m; i++) versions[i] = replies[1 + i] ?? '0';
  let holdActive = false;
  if (hold) for (let i = 0; i < m; i++) if (replies[1 + m + i] !== null && replies[1 + m + i] !== undefined) holdActive = true;
  const lockHeld = withLock && replies[replies.length - 1] !== null;
  const raw = replies[0];
  const stored = raw === null || raw === undefined ? undefined : decodeStored(raw);
  let entry: Envelope | undefined;
  if (stored !== undefined && sameTags(stored.envelope.tags, tags) && stored.versions.length === tags.length) {
    entry = stored.envelope;
    for (let i = 0; i < tags.length; i++) if (stored.versions[i] !== versions[1 + i]) { entry = undefined; break; }
  }
  return { entry, held: stored?.held === true, versions, holdActive, lockHeld };
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
