import { FleetError } from '../errors.js';

/**
 * Where `value` stops being plain JSON data (so a JSON round trip would change it), or undefined
 * when it is plain: `null`, booleans, finite numbers, strings, arrays and plain objects of those.
 * `undefined` is allowed at the top (a cached "not found") and as an object property (dropped,
 * as JSON drops it); everywhere else it, and Dates, Maps, class instances, BigInts, functions,
 * NaN and cycles, are reported with their path.
 */
export function jsonProblem(value: unknown, path = 'result'): string | undefined {
  if (value === undefined) return undefined;
  return walk(value, path, new Set());
}

function walk(value: unknown, path: string, open: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value} (JSON writes null)`;
    case 'object': {
      if (value === null) return undefined;
      if (open.has(value)) return `${path} refers back to itself (a cycle)`;
      if (Array.isArray(value)) {
        open.add(value);
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (item === undefined) return `${path}[${i}] is undefined (JSON writes null)`;
          const p = walk(item, `${path}[${i}]`, open);
          if (p) return p;
        }
        open.delete(value);
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as object).constructor?.name ?? 'object';
        return `${path} is a ${name}${name === 'Date' ? ' (JSON turns it into a string)' : ''}`;
      }
      open.add(value);
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        const p = walk(v, `${path}.${k}`, open);
        if (p) return p;
      }
      open.delete(value);
      return undefined;
    }
    case 'undefined':
      return `${path} is undefined`;
    default:
      return `${path} is a ${typeof value}`;
  }
}

/** The JSON of a value to cache, or `FLEET_ERR_CACHE_NOT_SERIALIZABLE` naming `owner` and the path. */
export function toJson(value: unknown, owner: string): string | undefined {
  const problem = jsonProblem(value);
  if (problem !== undefined) {
    throw new FleetError('FLEET_ERR_CACHE_NOT_SERIALIZABLE',
      `${owner} returned a value the cache cannot store without changing it: ${problem}. Nothing was cached. ` +
      `Fix: return plain JSON data (ISO strings or epoch numbers for dates, arrays and plain objects for collections).`);
  }
  return value === undefined ? undefined : JSON.stringify(value);
}

/**
 * Freezes a decoded value and everything in it: every caller shares it (L1), so none may change it.
 * Made for what `JSON.parse` returns (plain objects and arrays, no cycles, nothing frozen yet):
 * children first, primitives skipped without a call, so it costs little more than one
 * `Object.freeze` per object (see decision 047).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) freezeTree(value);
  return value;
}

function freezeTree(node: object): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      if (typeof v === 'object' && v !== null) freezeTree(v);
    }
  } else {
    for (const k in node) {
      const v: unknown = (node as Record<string, unknown>)[k];
      if (typeof v === 'object' && v !== null) freezeTree(v);
    }
  }
  Object.freeze(node);
}

/**
 * An entry as stored in L2 (after the version prefix that the store script writes):
 * `{"e":<fresh until>,"s":<stale until>,"t":[<tags>],"v":<value>}`, times in epoch ms on the
 * app's Clock; no `"t"` without tags, no `"v"` for a cached `undefined`.
 */
export interface Envelope {
  /** Fresh until (epoch ms). */
  readonly fresh: number;
  /** Served stale (within the grace period) until (epoch ms); equals `fresh` without a grace period. */
  readonly stale: number;
  /** The entry's tags (their versions are in the stored prefix). */
  readonly tags: readonly string[];
  /** The value, deep-frozen. */
  readonly value: unknown;
}

const NONE: readonly string[] = Object.freeze([]);

export function encodeEnvelope(json: string | undefined, fresh: number, stale: number, tags: readonly string[]): string {
  const t = tags.length === 0 ? '' : `,"t":${JSON.stringify(tags)}`;
  return json === undefined ? `{"e":${fresh},"s":${stale}${t}}` : `{"e":${fresh},"s":${stale}${t},"v":${json}}`;
}

export function decodeEnvelope(text: string): Envelope | undefined {
  let parsed: { e?: unknown; s?: unknown; t?: unknown; v?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  if (typeof parsed?.e !== 'number' || typeof parsed.s !== 'number') return undefined;
  const tags = Array.isArray(parsed.t) ? Object.freeze(parsed.t.map(String)) : NONE;
  return { fresh: parsed.e, stale: parsed.s, tags, value: deepFreeze(parsed.v) };
}
