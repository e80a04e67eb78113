import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/tick-shape-app.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../dist', import.meta.url));

/**
 * createApp keeps one of Node's own nextTick objects alive (decision 010), so V8 keeps the tick
 * object's hidden class through idle garbage collections. Checked in a process of its own with
 * V8's natives syntax (%HaveSameMap); runs on core's tsc output (`npm run build`).
 */
describe('tick object shape', () => {
  it('the kept object is a Node tick object, and a tick made after idle GCs still has its shape', async () => {
    const { stdout } = await run(process.execPath, ['--allow-natives-syntax', '--expose-gc', fixture], { env: { ...process.env, CORE_DIST: dist } });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(r.before).toBe(false);
    // Node 24 adds a third key, the tick's async context frame (kAsyncContextFrame).
    expect(r.symbols).toEqual(expect.arrayContaining(['async_id_symbol', 'trigger_async_id_symbol']));
    expect(r.keys).toEqual(['callback', 'args']);
    expect(r.freshIsTick).toBe(true);
    expect(r.sameShapeAfterIdleGc).toBe(true);
  });
});
