import { describe, expect, it } from 'vitest';
import { DbNode } from './db-node.js';
import { ReplicaRouter } from './replica-router.js';

function replicas(...lsns: number[]): DbNode[] {
  return lsns.map((lsn, i) => Object.assign(new DbNode(`replica-${i + 1}`, 'replica', 'postgres://x', 'fleet:t:replica'), { lsn }));
}

describe('ReplicaRouter', () => {
  it('round-robins over usable replicas', () => {
    const nodes = replicas(10, 10, 10);
    const router = new ReplicaRouter(nodes, 1000, () => undefined);
    router.refresh();
    expect([1, 2, 3, 4].map(() => router.pick(0)!.name)).toEqual(['replica-1', 'replica-2', 'replica-3', 'replica-1']);
  });

  it('skips down, lagging and promoted replicas', () => {
    const nodes = replicas(10, 10, 10, 10);
    nodes[0]!.down = true;
    nodes[1]!.lagMs = 5000;
    nodes[2]!.inRecovery = false;
    const router = new ReplicaRouter(nodes, 1000, () => undefined);
    router.refresh();
    expect(new Set([1, 2, 3].map(() => router.pick(0)!.name))).toEqual(new Set(['replica-4']));
    nodes[3]!.down = true;
    router.refresh();
    expect(router.pick(0)).toBeUndefined();
    expect(router.hasUsable).toBe(false);
  });

  it('serves a read-your-writes position only from a replica that replayed it, else asks for fresh positions', () => {
    const nodes = replicas(100, 300, 200);
    let refreshes = 0;
    const router = new ReplicaRouter(nodes, 1000, () => { refreshes++; });
    router.refresh();
    expect([1, 2, 3].map(() => router.pick(250)!.name)).toEqual(['replica-2', 'replica-2', 'replica-2']);
    expect(router.pick(400)).toBeUndefined();
    expect(refreshes).toBe(1);
  });

  it('applies the floor (boot-time migrations) to every read', () => {
    const nodes = replicas(100, 300);
    const router = new ReplicaRouter(nodes, 1000, () => undefined);
    router.refresh();
    router.floor = 200;
    expect([1, 2].map(() => router.pick(0)!.name)).toEqual(['replica-2', 'replica-2']);
  });
});
