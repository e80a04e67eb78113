import { describe, expect, it } from 'vitest';
import { decodeArgs, encodeArgs } from './job-data.js';

const where = 'OrdersService.sendConfirmationEmail';
const problem = (args: unknown[]) => {
  try {
    encodeArgs(args, [], where);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a problem');
};

describe('job arguments travel as JSON', () => {
  it('round-trips JSON values, restoring undefined arguments and leaving out the worker-filled ones', () => {
    const args = ['o-1', 3, true, null, { items: [{ sku: 'A', qty: 1 }], note: undefined }, undefined, 'signal-slot'];
    const data = encodeArgs(args, [6], where);
    const back = decodeArgs(JSON.parse(JSON.stringify(data)));
    expect(back).toEqual(['o-1', 3, true, null, { items: [{ sku: 'A', qty: 1 }] }, undefined, undefined]);
    expect(back).toHaveLength(7);
  });

  it.each([
    [[new Date(0)], 'argument #1 = a Date', 'toISOString'],
    [[{ at: { when: new Date(0) } }], 'argument #1.at.when = a Date', 'toISOString'],
    [['x', new Map()], 'argument #2 = a Map', 'Object.fromEntries'],
    [[{ tags: new Set(['a']) }], 'argument #1.tags = a Set', '[...set]'],
    [[[1, undefined]], 'argument #1[1] = undefined inside an array', 'null'],
    [[NaN], 'argument #1 = NaN', 'finite number'],
    [[{ n: Infinity }], 'argument #1.n = Infinity', 'finite number'],
    [[10n], 'argument #1 = a BigInt (10n)', 'toString()'],
    [[() => 1], 'argument #1 = a function', 'pass data, not code'],
    [[new (class Order { id = 1 })()], 'argument #1 = an instance of Order', 'plain object'],
    [[Buffer.from('x')], 'argument #1 = binary data (Buffer)', 'base64'],
    [[{ 'a-b': new Date(0) }], 'argument #1["a-b"] = a Date', 'toISOString'],
  ])('refuses %o with the path and the fix', (args, path, fix) => {
    const e = problem(args as unknown[]);
    expect(e.code).toBe('FLEET_ERR_JOBS_ARGUMENT_NOT_JSON');
    expect(e.message).toContain(`${where}() was called with ${path}`);
    expect(e.message).toContain(fix);
  });

  it('refuses cycles and absurd nesting instead of overflowing', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(problem([a]).message).toContain('argument #1.self = a circular reference');
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(problem([deep]).message).toContain('nested more than 64 levels');
  });

  it('accepts the same object twice (shared, not cyclic) and objects without a prototype', () => {
    const shared = { sku: 'A' };
    const bare = Object.assign(Object.create(null) as object, { x: 1 });
    expect(encodeArgs([{ a: shared, b: shared }, bare], [], where).args).toEqual([{ a: shared, b: shared }, { x: 1 }]);
  });
});
