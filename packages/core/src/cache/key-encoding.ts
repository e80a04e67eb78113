import { FleetError } from '../errors.js';

/**
 * A stable text for a call's arguments, the default cache key: the same arguments give the same
 * text on every instance and in every order of object keys. `find(1)` and `find(1, undefined)`
 * are one entry; `find(1)` and `find('1')` are two. Arguments with no stable text (functions,
 * symbols, class instances, Maps, cycles) are a `FLEET_ERR_CACHE_KEY_INVALID` naming the method
 * and the argument, with the fix (a `key` function).
 */
export function encodeArgs(args: readonly unknown[], skipIndex: number, owner: string): string {
  let end = args.length;
  while (end > 0 && (args[end - 1] === undefined || end - 1 === skipIndex)) end--;
  if (end === 1 && skipIndex !== 0) {
    const only = args[0];
    if (typeof only === 'number') return String(only);
    if (typeof only === 'string') return JSON.stringify(only);
  }
  let out = '';
  for (let i = 0; i < end; i++) {
    if (i > 0) out += ',';
    if (i !== skipIndex) out += encode(args[i], `argument #${i}`, owner, 0);
  }
  return out;
}

const MAX_DEPTH = 32;

function encode(value: unknown, path: string, owner: string, depth: number): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'number': return Object.is(value, -0) ? '0' : String(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'undefined': return 'undefined';
    case 'bigint': return `${value}n`;
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) throw unstable(owner, path, 'nesting deeper than 32 levels (a cycle?)');
      if (Array.isArray(value)) return `[${value.map((v, i) => encode(v, `${path}[${i}]`, owner, depth + 1)).join(',')}]`;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw unstable(owner, path, 'an invalid Date');
        return `Date(${value.toISOString()})`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw unstable(owner, path, `a ${(value as object).constructor?.name ?? 'class'} instance`);
      const keys = Object.keys(value).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${encode(v, `${path}.${k}`, owner, depth + 1)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw unstable(owner, path, `a ${typeof value}`);
  }
}

function unstable(owner: string, path: string, what: string): FleetError {
  return new FleetError('FLEET_ERR_CACHE_KEY_INVALID',
    `@Cached on ${owner}: ${path} is ${what}, which has no stable text for the default cache key. ` +
    `Fix: give the decorator a key function of the arguments (key: (...args) => string), or pass plain data (strings, numbers, plain objects and arrays).`);
}

/** The key a `key` option gives for a call; a function's result is checked. */
export function keyFrom(key: string | ((...args: any[]) => string), args: unknown[], owner: string, decorator: string): string {
  if (typeof key === 'string') return key;
  const k = key(...args);
  if (typeof k !== 'string' || k === '') {
    throw new FleetError('FLEET_ERR_CACHE_KEY_INVALID', `The key function of ${decorator} on ${owner} returned ${JSON.stringify(k) ?? String(k)}; it must return a non-empty string.`);
  }
  return k;
}

/** The tags a `tags` option gives for a call; a function's result is checked. */
export function tagsFrom(tags: readonly string[] | ((...args: any[]) => readonly string[]) | undefined, args: unknown[], owner: string, decorator: string): readonly string[] {
  if (tags === undefined) return NO_TAGS;
  if (typeof tags !== 'function') return tags;
  const t = tags(...args);
  if (!Array.isArray(t) || t.some((x) => typeof x !== 'string' || x === '')) {
    throw new FleetError('FLEET_ERR_CACHE_KEY_INVALID', `The tags function of ${decorator} on ${owner} returned ${JSON.stringify(t) ?? String(t)}; it must return a list of non-empty strings.`);
  }
  return t;
}

export const NO_TAGS: readonly string[] = Object.freeze([]);
