import type { Command } from 'ioredis';

/**
 * The cache's Redis deadline (`CACHE_L2_TIMEOUT_MS`) without a timer or a promise per command:
 * decision 023's FIFO, holding the ioredis commands themselves. With one fixed timeout, deadlines
 * enter in order, so the head is the next to expire; a command that settles empties its slot at
 * once (it is garbage right away, even behind a slow one). One unref'd timer is armed for the
 * head and re-armed only when it fires. On expiry the command is rejected the way ioredis's own
 * command timeout rejects it, so its promise settles and its later reply is ignored.
 *
 * Why not the command's own ioredis timer set to the shorter timeout: the app's client arms a
 * `REDIS_COMMAND_TIMEOUT_MS` timer on every command anyway, and a second timer duration made each
 * sequential L2 hit about 1 us slower (Node keeps a timer list per duration, created and dropped
 * per call when only cache reads use it). Real time, whatever the app's Clock.
 */
export class CommandDeadlines {
  private items: Array<Command | undefined> = [];
  private deadlines: number[] = [];
  private head = 0;
  /** Absolute index of `items[0]`. */
  private base = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly timeoutMs: number, private readonly onExpire: () => Error) {}

  /** Starts the deadline of `command`; the returned slot goes to `done` when it settles. */
  add(command: Command): number {
    const slot = this.base + this.items.length;
    this.items.push(command);
    this.deadlines.push(performance.now() + this.timeoutMs);
    if (this.timer === undefined) this.arm(this.timeoutMs);
    return slot;
  }

  /** The command of `slot` settled (answered, failed or expired). */
  readonly done = (slot: number): void => {
    const items = this.items;
    const i = slot - this.base;
    if (i >= this.head && i < items.length) items[i] = undefined;
    while (this.head < items.length && items[this.head] === undefined) this.head++;
    if (this.head === items.length) this.reset();
    else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  };

  /** Commands waiting for a reply (tests). */
  get size(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (this.items[i] !== undefined) n++;
    return n;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = performance.now();
    const items = this.items;
    while (this.head < items.length) {
      const command = items[this.head];
      if (command !== undefined) {
        const at = this.deadlines[this.head]!;
        if (at > now) { this.arm(at - now); return; }
        items[this.head] = undefined;
        command.reject(this.onExpire());
      }
      this.head++;
    }
    this.reset();
  };

  private arm(ms: number): void {
    this.timer = setTimeout(this.tick, Math.max(1, Math.ceil(ms)));
    this.timer.unref();
  }

  /** Everything settled: empty the arrays in place (sequential traffic empties them on every reply). */
  private reset(): void {
    this.base += this.items.length;
    this.items.length = 0;
    this.deadlines.length = 0;
    this.head = 0;
  }
}
