import { describe, expect, it } from 'vitest';
import { WalHistory } from './wal-history.js';

describe('WalHistory (replica lag from primary samples)', () => {
  it('is 0 for a replica that replayed everything recorded, even when the primary is idle', () => {
    const h = new WalHistory(8, 0);
    h.record(100, 0);
    expect(h.lagOf(100, 60_000)).toBe(0);
  });

  it('is the age of the oldest position the replica has not replayed', () => {
    const h = new WalHistory(8, 0);
    h.record(100, 1000);
    h.record(200, 2000);
    h.record(300, 3000);
    expect(h.lagOf(150, 3500)).toBe(1500);
    expect(h.lagOf(250, 3500)).toBe(500);
    expect(h.lagOf(50, 3500)).toBe(2500);
    // paused replay: the lag keeps growing while the replica stays put
    expect(h.lagOf(250, 10_000)).toBe(7000);
  });

  it('merges samples closer than the spacing into the previous one (lag errs on the high side)', () => {
    const h = new WalHistory(4, 100);
    h.record(100, 0);
    h.record(150, 50);
    expect(h.latest).toBe(150);
    expect(h.lagOf(120, 200)).toBe(200);
  });

  it('keeps the newest samples in a ring; older than the ring is a lower bound', () => {
    const h = new WalHistory(3, 0);
    for (let i = 1; i <= 5; i++) h.record(i * 100, i * 1000);
    expect(h.latest).toBe(500);
    expect(h.lagOf(0, 6000)).toBe(3000);
    h.record(400, 7000); // positions never go back
    expect(h.latest).toBe(500);
  });
});
