import type { Logger } from '../app/logger.js';
import type { Clock } from '../time/clock.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import type { ProbeLease } from './breaker-stage.js';
import type { Circuit, CircuitState } from './circuit.js';
import type { DeadlineQueue, DeadlineTicker } from './deadline-ticker.js';

/** The pub/sub channel (in the app's namespace) that carries breaker transitions. */
export const BREAKER_CHANNEL = 'resilience.breakers';

interface BreakerMessage { v: 1; n: string; s: 'open' | 'closed'; ms: number; i: string }

const PROBE_LEASE_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
local t = redis.call('PTTL', KEYS[1])
if t < 1 then return 1 end
return t`;

/**
 * Shares breaker state with every instance of the app through Redis: an instance that opens a
 * breaker writes `breaker:<name>` (expiring with the open period) and publishes it, so the others
 * open within one pub/sub hop; a booting instance reads the keys. In half-open, the instance that
 * holds `breaker:<name>:probe` (SET NX PX) is the only one that sends trial calls. Every Redis
 * failure degrades to the per-instance breaker, never to an error of the call.
 */
export class FleetBreakers implements ProbeLease {
  /** Circuits whose probe lease this instance holds, by generation. */
  private readonly holding = new Map<Circuit, number>();
  /** Circuits whose probe another instance holds, until (monotonic ms). */
  private readonly blockedUntil = new Map<Circuit, number>();
  /** Deadlines of Redis calls on the call path (probe lease) and in the background (publish). */
  private readonly io: DeadlineQueue;
  /** Deadline of the boot-time subscribe and state read. */
  private readonly boot: DeadlineQueue;

  constructor(
    private readonly redis: RedisConnection,
    private readonly circuits: Map<string, Circuit>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly instanceId: string,
    ioTicker: DeadlineTicker,
  ) {
    this.io = ioTicker.queue(250, () => new Error('Redis did not answer within 250 ms'));
    this.boot = ioTicker.queue(2000, () => new Error('Redis did not answer within 2000 ms'));
  }

  /** Subscribes and reads the current state of every breaker; resolves false if Redis did not answer. */
  async start(): Promise<boolean> {
    try {
      await this.boot.race(() => this.redis.subscribe(BREAKER_CHANNEL, this.onMessage), undefined, undefined, undefined);
      const pipeline = this.redis.client.pipeline();
      for (const name of this.circuits.keys()) pipeline.pttl(this.stateKey(name)).pttl(this.probeKey(name));
      const replies = await this.boot.race(() => pipeline.exec().then(throwFirstError), undefined, undefined, undefined);
      let i = 0;
      for (const circuit of this.circuits.values()) {
        const open = Number(replies[i++]?.[1] ?? -2);
        const probe = Number(replies[i++]?.[1] ?? -2);
        if (open > 0) circuit.open(open, 'fleet');
        else if (probe > 0) { circuit.halfOpen('fleet'); this.blockedUntil.set(circuit, this.clock.monotonic() + probe); }
      }
      return true;
    } catch (err) {
      this.log.warn({ err }, 'circuit breakers could not join the fleet (Redis did not answer): they work per instance until it does');
      return false;
    }
  }

  acquire(circuit: Circuit): Promise<number> {
    if (this.holding.get(circuit) === circuit.generation) return Promise.resolve(0);
    const blocked = this.blockedUntil.get(circuit);
    const now = this.clock.monotonic();
    if (blocked !== undefined && now < blocked) return Promise.resolve(blocked - now);
    const generation = circuit.generation;
    const leaseMs = Math.max(1000, Math.ceil(circuit.options.recoveryMs));
    const ask = () => this.redis.client.eval(PROBE_LEASE_LUA, 1, this.probeKey(circuit.name), this.instanceId, leaseMs) as Promise<number>;
    return this.io.race(ask, undefined, undefined, undefined).then((heldMs) => {
      if (circuit.generation !== generation) return 0;
      if (Number(heldMs) === 0) { this.holding.set(circuit, generation); return 0; }
      this.blockedUntil.set(circuit, this.clock.monotonic() + Number(heldMs));
      return Number(heldMs);
    }, (err) => {
      this.log.warn({ err, breaker: circuit.name }, 'breaker probe lease unavailable (Redis did not answer): this instance probes on its own');
      return 0;
    });
  }

  /** Shares a transition this instance made. */
  published(circuit: Circuit, from: CircuitState, to: CircuitState): void {
    this.holding.delete(circuit);
    this.blockedUntil.delete(circuit);
    if (to === 'half-open') return;
    if (to === 'closed' && from === 'closed') return;
    const name = circuit.name;
    const message: BreakerMessage = { v: 1, n: name, s: to === 'open' ? 'open' : 'closed', ms: to === 'open' ? circuit.options.recoveryMs : 0, i: this.instanceId };
    let client;
    try { client = this.redis.client; } catch { return; }
    const pipeline = client.pipeline();
    if (to === 'open') pipeline.set(this.stateKey(name), this.instanceId, 'PX', Math.max(1, Math.ceil(message.ms))).del(this.probeKey(name));
    else pipeline.del(this.stateKey(name), this.probeKey(name));
    pipeline.publish(this.redis.key('ch', BREAKER_CHANNEL), JSON.stringify(message));
    this.io.race(() => pipeline.exec().then(throwFirstError), undefined, undefined, undefined).catch((err) => {
      this.log.warn({ err, breaker: name, state: to }, 'could not share a breaker transition (Redis did not answer): other instances judge on their own');
    });
  }

  /** Another instance's transitions. */
  private readonly onMessage = (raw: string): void => {
    let m: BreakerMessage;
    try { m = JSON.parse(raw) as BreakerMessage; } catch { return; }
    if (m?.v !== 1 || m.i === this.instanceId) return;
    const circuit = this.circuits.get(m.n);
    if (!circuit) return;
    this.holding.delete(circuit);
    this.blockedUntil.delete(circuit);
    if (m.s === 'open') circuit.open(Math.max(0, Number(m.ms) || 0), 'fleet');
    else circuit.close('fleet');
  };

  private stateKey(name: string): string { return this.redis.key('breaker', name); }
  private probeKey(name: string): string { return this.redis.key('breaker', name, 'probe'); }
}

/** A pipeline resolves with one [error, reply] per command: fail on the first error. */
function throwFirstError(replies: Array<[Error | null, unknown]> | null): Array<[Error | null, unknown]> {
  for (const [error] of replies ?? []) if (error) throw error;
  return replies ?? [];
}
