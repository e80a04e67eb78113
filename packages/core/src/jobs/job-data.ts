import { FleetError } from '../errors.js';

/**
 * What a job carries in Redis: the call's arguments as JSON, the indexes of arguments that were
 * `undefined` (JSON has no undefined), the enqueuing span's `traceparent` and the
 * read-your-writes token of the enqueuing request. @internal
 */
export interface JobData {
  args: unknown[];
  undef?: number[];
  traceparent?: string;
  lsn?: string;
}

interface Problem { path: string; found: string; fix: string }

const MAX_DEPTH = 64;

/**
 * Checks that every argument survives a JSON round trip unchanged and builds the job's data.
 * `skip` are the indexes the worker fills in (`@CurrentJob()`, `@Signal()`): never enqueued.
 * Throws FLEET_ERR_JOBS_ARGUMENT_NOT_JSON naming the method, argument and path.
 * @internal
 */
export function encodeArgs(args: unknown[], skip: readonly number[], where: string): JobData {
  const out: unknown[] = new Array(args.length);
  let undef: number[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    if (value === undefined || skip.includes(i)) {
      out[i] = null;
      (undef ??= []).push(i);
      continue;
    }
    const problem = check(value, `argument #${i + 1}`, 0, []);
    if (problem) throw notJson(where, problem);
    out[i] = value;
  }
  return undef ? { args: out, undef } : { args: out };
}

/** The arguments a worker passes to the method. @internal */
export function decodeArgs(data: JobData | undefined): unknown[] {
  const args = Array.isArray(data?.args) ? data.args.slice() : [];
  for (const i of data?.undef ?? []) args[i] = undefined;
  return args;
}

function notJson(where: string, p: Problem): FleetError {
  return new FleetError('FLEET_ERR_JOBS_ARGUMENT_NOT_JSON',
    `${where}() was called with ${p.path} = ${p.found}, which does not survive JSON: job arguments are stored in Redis as JSON ` +
    `and read by another process. Fix: ${p.fix}.`);
}

function check(v: unknown, path: string, depth: number, stack: object[]): Problem | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(v) ? undefined : { path, found: String(v), fix: 'JSON turns it into null; pass a finite number, or null' };
    case 'undefined':
      return { path, found: 'undefined inside an array', fix: 'JSON turns it into null; pass null' };
    case 'bigint':
      return { path, found: `a BigInt (${String(v)}n)`, fix: 'pass it as a string (value.toString()) and parse it in the job' };
    case 'symbol':
      return { path, found: 'a Symbol', fix: 'pass a string' };
    case 'function':
      return { path, found: 'a function', fix: 'pass data, not code: the job runs in another process, so pass what the function needs and call it in the job' };
  }
  if (v === null) return undefined;
  const o = v as object;
  if (depth >= MAX_DEPTH) return { path, found: `a value nested more than ${MAX_DEPTH} levels deep`, fix: 'pass a flatter value, or an id the job can load' };
  if (stack.includes(o)) return { path, found: 'a circular reference', fix: 'pass an acyclic copy with only the fields the job needs' };
  if (Array.isArray(o)) {
    stack.push(o);
    for (let i = 0; i < o.length; i++) {
      const p = check(o[i], `${path}[${i}]`, depth + 1, stack);
      if (p) return p;
    }
    stack.pop();
    return undefined;
  }
  const proto = Object.getPrototypeOf(o) as object | null;
  if (proto !== Object.prototype && proto !== null) return classProblem(o, path);
  stack.push(o);
  for (const key of Object.keys(o)) {
    const value = (o as Record<string, unknown>)[key];
    // An undefined property is dropped by JSON: the job reads undefined all the same.
    if (value === undefined) continue;
    const p = check(value, /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, depth + 1, stack);
    if (p) return p;
  }
  stack.pop();
  return undefined;
}

function classProblem(o: object, path: string): Problem {
  if (o instanceof Date) return { path, found: 'a Date', fix: 'pass date.toISOString() (or getTime()) and make a Date of it in the job' };
  if (o instanceof Map) return { path, found: 'a Map', fix: 'pass Object.fromEntries(map) or [...map]' };
  if (o instanceof Set) return { path, found: 'a Set', fix: 'pass [...set]' };
  if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return { path, found: `binary data (${o.constructor.name})`, fix: 'store the bytes elsewhere (object storage) and pass their key, or pass a base64 string' };
  if (o instanceof Error) return { path, found: `an Error (${o.message})`, fix: 'pass { name, message } of it' };
  if (o instanceof Promise) return { path, found: 'a Promise', fix: 'await it and pass the value' };
  const name = (o.constructor as Function | undefined)?.name || 'a class';
  return { path, found: `an instance of ${name}`, fix: `pass a plain object with the fields the job needs (the ${name} class and its methods do not travel), or an id the job can load` };
}
