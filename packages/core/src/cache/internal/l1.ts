import { LRUCache } from 'lru-cache';
import type { Envelope } from '../json-value.js';

/** One in-process entry. Times are epoch ms on the app's Clock. */
export interface L1Entry {
  readonly value: unknown;
  /** Logically fresh until (from L2). */
  readonly fresh: number;
  /** Served as a fresh hit until: min(fresh, inserted + l1 ttl). */
  readonly hitUntil: number;
  /** Served stale (grace period) until: min(stale, inserted + l1 ttl). Never beyond its L2 entry's life. */
  readonly staleUntil: number;
  readonly tags: readonly string[];
}

/** The in-process LRU of one `@Cached` method (or of the `Cache` API). */
export class L1Store {
  readonly lru: LRUCache<string, L1Entry>;

  constructor(max: number) {
    this.lru = new LRUCache<string, L1Entry>({ max });
  }

  get size(): number { return this.lru.size; }
}

const SLOTS = 1024;

/** What holds reads in flight: an invalidation detaches them, so later callers start a new read instead of joining one that began before it. */
export interface InflightReads {
  detach(keys: readonly string[] | undefined): void;
}

/**
 * Keeps every L1 of an instance coherent with the fleet. Invalidations (local, or from the bus)
 * delete entries and bump an epoch: the key's slot for a key, every slot for a tag or a clear. A
 * read that fetched a value from L2 (or the source) before an invalidation arrived must not put
 * it into L1 after it: it takes a ticket (its slot's epoch) before reading, and writes only if
 * the epoch is unchanged. Hashing keys onto 1024 slots keeps this O(1) and allocation-free; a
 * collision only costs a skipped L1 write.
 */
export class L1Coherence {
  private readonly epochs = new Uint32Array(SLOTS);
  readonly stores = new Set<L1Store>();
  readonly readers = new Set<InflightReads>();
  /** Invalidations and clears applied to this instance's L1 (metrics). */
  readonly stats = { keys: 0, tags: 0, clears: 0 };

  ticket(key: string): number {
    return this.epochs[slot(key)]!;
  }

  valid(key: string, ticket: number): boolean {
    return this.epochs[slot(key)] === ticket;
  }

  set(store: L1Store, key: string, entry: Envelope, l1TtlMs: number, now: number, ticket: number): void {
    if (this.epochs[slot(key)] !== ticket) return;
    const until = now + l1TtlMs;
    store.lru.set(key, {
      value: entry.value,
      fresh: entry.fresh,
      hitUntil: Math.min(entry.fresh, until),
      staleUntil: Math.min(entry.stale, until),
      tags: entry.tags,
    });
  }

  dropKeys(keys: readonly string[]): void {
    for (const key of keys) {
      const s = slot(key);
      this.epochs[s] = this.epochs[s]! + 1;
      for (const store of this.stores) store.lru.delete(key);
    }
    for (const r of this.readers) r.detach(keys);
    this.stats.keys += keys.length;
  }

  dropTags(tags: readonly string[]): void {
    if (tags.length === 0) return;
    this.bumpAll();
    const wanted = new Set(tags);
    for (const store of this.stores) {
      const doomed: string[] = [];
      for (const [key, entry] of store.lru.entries()) if (entry.tags.some((t) => wanted.has(t))) doomed.push(key);
      for (const key of doomed) store.lru.delete(key);
    }
    for (const r of this.readers) r.detach(undefined);
    this.stats.tags += tags.length;
  }

  clear(): void {
    this.bumpAll();
    for (const store of this.stores) store.lru.clear();
    for (const r of this.readers) r.detach(undefined);
    this.stats.clears++;
  }

  get entries(): number {
    let n = 0;
    for (const store of this.stores) n += store.size;
    return n;
  }

  private bumpAll(): void {
    for (let i = 0; i < SLOTS; i++) this.epochs[i] = this.epochs[i]! + 1;
  }
}

/** FNV-1a over the key's UTF-16 code units, onto the slots. */
function slot(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (SLOTS - 1);
}
