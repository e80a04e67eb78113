import type { DbNode } from './db-node.js';
import type { QueryReason } from './query-telemetry.js';

/**
 * Picks the replica for a read: round-robin over the usable ones (up, in recovery, lag within
 * the limit), skipping any that has not replayed the position the caller must see. The usable
 * list is rebuilt when health changes, never per read.
 */
export class ReplicaRouter {
  private usable: DbNode[] = [];
  private next = 0;
  /** A position every read must reach (raised after boot-time migrations). */
  floor = 0;

  constructor(readonly replicas: readonly DbNode[], private readonly maxLagMs: number, private readonly onBehind: () => void) {}

  /** Whether some replica can serve reads now. */
  get hasUsable(): boolean {
    return this.usable.length > 0;
  }

  /** A replica that has replayed `required`, or undefined (read from the primary). */
  pick(required: number): DbNode | undefined {
    const list = this.usable;
    const n = list.length;
    if (n === 0) return undefined;
    if (required < this.floor) required = this.floor;
    let i = this.next < n ? this.next : 0;
    this.next = i + 1 < n ? i + 1 : 0;
    for (let k = 0; k < n; k++) {
      const node = list[i]!;
      if (node.lsn >= required) return node;
      if (++i === n) i = 0;
    }
    // The known positions may just be old: refresh them, so the next read can use a replica.
    this.onBehind();
    return undefined;
  }

  /** Why `pick` just returned undefined: no replica configured, none usable, or none has replayed the required position. */
  missReason(): QueryReason {
    if (this.usable.length > 0) return 'read-your-writes';
    return this.replicas.length === 0 ? 'no-replica' : 'replica-unhealthy';
  }

  /** Rebuilds the usable list from the nodes' health. */
  refresh(): void {
    this.usable = this.replicas.filter((r) => !r.down && r.inRecovery && r.lagMs <= this.maxLagMs);
  }
}
