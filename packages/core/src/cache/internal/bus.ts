import type { Redis } from 'ioredis';
import type { Logger } from '../../app/logger.js';

/** An invalidation on the bus: origin instance, ack id, keys, tags, or a clear of every L1. */
export interface BusMessage {
  o: string;
  a?: string;
  k?: readonly string[];
  t?: readonly string[];
}

export interface BusSettings {
  url: string;
  connectionName: string;
  /** Full channel names (in the app's namespace). */
  invalidations: string;
  acks: string;
  heartbeatMs: number;
  instanceId: string;
  log: Logger;
  /** Applies an invalidation from another instance to this instance's L1. */
  onInvalidate(message: BusMessage): void;
  /** The subscription (re)started or was lost: L1 may have missed messages, so it is cleared. */
  onReset(reason: 'connected' | 'reconnected' | 'lost'): void;
  /** Acknowledges a message to its origin. */
  sendAck(origin: string, ackId: string): void;
  /** Runs on every heartbeat (retries invalidations that could not be sent). */
  onTick(): void;
}

interface PendingAck { need: number; got: number; resolve?: (all: boolean) => void; timer?: NodeJS.Timeout }

/**
 * The invalidation bus: a dedicated Redis subscriber connection per instance. L1 is trusted only
 * while this connection is known to deliver: for `3 x heartbeat` after the send time of the
 * last PING answered on it (Redis delivers messages and replies in order on one connection, so a
 * PONG proves nothing published before the PING was missed). A lost or silent connection stops
 * L1 at once (trust lapses, L1 is cleared) and the reconnect clears it again, before trusting.
 *
 * Acknowledgements make an invalidation fleet-wide before it returns: PUBLISH says how many
 * instances got the message; each answers on the origin's ack channel after dropping its L1
 * entries; the origin waits for all of them, or for one lease (after which a silent instance
 * has stopped trusting its L1 anyway).
 */
export class CacheBus {
  /** `performance.now()` until which L1 may be used. */
  trustedUntil = 0;
  readonly leaseMs: number;
  readonly stats = { resets: 0, received: 0, ackTimeouts: 0 };
  private sub?: Redis;
  private up = false;
  private everUp = false;
  private stopped = false;
  private pingSentAt = 0;
  private pingInFlight = false;
  private timer?: NodeJS.Timeout;
  private readonly acks = new Map<string, PendingAck>();
  private firstUp?: () => void;

  constructor(private readonly s: BusSettings) {
    this.leaseMs = s.heartbeatMs * 3;
  }

  /** Whether L1 may be used now. */
  trusted(): boolean {
    return performance.now() < this.trustedUntil;
  }

  get connected(): boolean { return this.up; }

  /** Connects and subscribes; resolves within `bootTimeoutMs` either way (L1 stays off until the bus is up). */
  async start(bootTimeoutMs: number): Promise<boolean> {
    const { Redis: RedisClient } = await import('ioredis');
    const sub = new RedisClient(this.s.url, {
      lazyConnect: true,
      connectionName: this.s.connectionName,
      connectTimeout: 2000,
      enableOfflineQueue: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    });
    this.sub = sub;
    sub.on('error', () => undefined); // reported through 'close' and the L2 breaker, not once per retry
    sub.on('ready', () => { void this.subscribe(sub); });
    sub.on('close', () => this.lost('the connection closed'));
    sub.on('message', this.onMessage);
    const upOrTimeout = new Promise<void>((resolve) => {
      this.firstUp = resolve;
      setTimeout(resolve, bootTimeoutMs).unref();
    });
    sub.connect().catch(() => undefined);
    await upOrTimeout;
    this.timer = setInterval(this.tick, this.s.heartbeatMs);
    this.timer.unref();
    if (!this.up) this.s.log.warn('cache: the invalidation bus could not subscribe at boot: L1 stays off (reads use Redis) until it does');
    return this.up;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.trustedUntil = 0;
    for (const [id, p] of this.acks) { clearTimeout(p.timer); p.resolve?.(false); this.acks.delete(id); }
    await this.sub?.quit().catch(() => this.sub?.disconnect());
  }

  /** Registers an ack id before its message is published (acks may arrive before PUBLISH's reply). */
  expect(ackId: string): void {
    this.acks.set(ackId, { need: Infinity, got: 0 });
  }

  /** Waits for `need` acks of `ackId`, at most one lease; true when all came. */
  settle(ackId: string, need: number): Promise<boolean> {
    const p = this.acks.get(ackId);
    if (p === undefined) return Promise.resolve(false);
    p.need = need;
    if (p.got >= need) { this.acks.delete(ackId); return Promise.resolve(true); }
    return new Promise((resolve) => {
      p.resolve = resolve;
      p.timer = setTimeout(() => {
        this.acks.delete(ackId);
        this.stats.ackTimeouts++;
        this.s.log.warn({ acked: p.got, expected: need }, `cache: ${need - p.got} instance(s) did not acknowledge an invalidation within ${this.leaseMs} ms; they stop using L1 by then`);
        resolve(false);
      }, this.leaseMs);
      p.timer.unref();
    });
  }

  cancel(ackId: string): void {
    this.acks.delete(ackId);
  }

  private async subscribe(sub: Redis): Promise<void> {
    try {
      await sub.subscribe(this.s.invalidations, this.s.acks);
      const sentAt = performance.now();
      await sub.ping();
      if (this.stopped || sub !== this.sub) return;
      const reconnect = this.everUp;
      this.up = true;
      this.everUp = true;
      this.stats.resets++;
      this.s.onReset(reconnect ? 'reconnected' : 'connected');
      this.trustedUntil = sentAt + this.leaseMs;
      if (reconnect) this.s.log.info('cache: invalidation bus reconnected: L1 cleared (messages may have been missed) and in use again');
      this.firstUp?.();
      this.firstUp = undefined;
    } catch (err) {
      if (this.stopped) return;
      this.s.log.warn({ err }, 'cache: the invalidation bus could not subscribe: reconnecting');
      sub.disconnect(true);
    }
  }

  private lost(why: string): void {
    this.trustedUntil = 0;
    this.pingInFlight = false;
    if (!this.up || this.stopped) return;
    this.up = false;
    this.stats.resets++;
    this.s.onReset('lost');
    this.s.log.warn(`cache: invalidation bus lost (${why}): L1 cleared and off until it reconnects; reads use Redis`);
  }

  private readonly tick = (): void => {
    this.s.onTick();
    const sub = this.sub;
    if (!sub || !this.up || this.stopped) return;
    const now = performance.now();
    if (this.pingInFlight) {
      if (now - this.pingSentAt > this.leaseMs) {
        this.lost(`no answer to a ping for ${Math.round(now - this.pingSentAt)} ms`);
        sub.disconnect(true);
      }
      return;
    }
    this.pingInFlight = true;
    this.pingSentAt = now;
    sub.ping().then(() => {
      if (this.pingSentAt !== now) return;
      this.pingInFlight = false;
      if (this.up) this.trustedUntil = now + this.leaseMs;
    }, () => { if (this.pingSentAt === now) this.pingInFlight = false; });
  };

  private readonly onMessage = (channel: string, raw: string): void => {
    if (channel === this.s.acks) { this.acked(raw); return; }
    if (channel !== this.s.invalidations) return;
    let m: BusMessage;
    try { m = JSON.parse(raw) as BusMessage; } catch { return; }
    if (typeof m?.o !== 'string') return;
    this.stats.received++;
    if (m.o !== this.s.instanceId) this.s.onInvalidate(m);
    if (typeof m.a === 'string') {
      if (m.o === this.s.instanceId) this.acked(m.a);
      else this.s.sendAck(m.o, m.a);
    }
  };

  private acked(ackId: string): void {
    const p = this.acks.get(ackId);
    if (p === undefined) return;
    p.got++;
    if (p.got >= p.need) {
      clearTimeout(p.timer);
      this.acks.delete(ackId);
      p.resolve?.(true);
    }
  }
}
