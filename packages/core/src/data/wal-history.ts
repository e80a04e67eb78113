/**
 * When the primary reached which WAL position: samples from its health probes and from the
 * positions read after writes. A replica's lag is then "how long ago the primary had WAL the
 * replica has not replayed yet", which stays right when the primary is idle (lag 0, not "time
 * since the last transaction"), when replay is paused, and when the replica stopped receiving.
 */
export class WalHistory {
  private readonly at: Float64Array;
  private readonly lsn: Float64Array;
  private count = 0;
  private head = 0;

  /**
   * @param capacity samples kept (a ring)
   * @param minSpacingMs a sample closer than this to the previous one raises that one's position
   *   instead of taking a slot, so a burst of writes cannot push the ring's oldest sample younger
   *   than the lag limit (lag is then overestimated by at most this much: the safe side)
   */
  constructor(private readonly capacity: number, private readonly minSpacingMs: number) {
    this.at = new Float64Array(capacity);
    this.lsn = new Float64Array(capacity);
  }

  /** The newest position recorded (0 before any sample). */
  get latest(): number {
    return this.count === 0 ? 0 : this.lsn[(this.head - 1 + this.capacity) % this.capacity]!;
  }

  record(lsn: number, now: number): void {
    if (this.count > 0) {
      const last = (this.head - 1 + this.capacity) % this.capacity;
      if (lsn <= this.lsn[last]!) return;
      if (now - this.at[last]! < this.minSpacingMs) { this.lsn[last] = lsn; return; }
    }
    this.at[this.head] = now;
    this.lsn[this.head] = lsn;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * Milliseconds since the primary first had a position beyond `replayed` (0 when the replica
   * has replayed everything recorded). When even the oldest sample is beyond it, the age of that
   * sample is returned: a lower bound, already past any sensible lag limit.
   */
  lagOf(replayed: number, now: number): number {
    if (this.count === 0 || replayed >= this.latest) return 0;
    const oldest = (this.head - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const i = (oldest + k) % this.capacity;
      if (this.lsn[i]! > replayed) return Math.max(0, now - this.at[i]!);
    }
    return 0;
  }
}
