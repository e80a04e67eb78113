import { describe, expect, it } from 'vitest';
import type { Command } from 'ioredis';
import { CommandDeadlines } from './command-deadlines.js';

/** What the deadlines use of an ioredis command: `reject`. */
function fakeCommand() {
  const c = { rejected: undefined as unknown, reject(e: Error) { c.rejected = e; } };
  return c;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CommandDeadlines', () => {
  it('rejects a command that gets no reply within the timeout, and only that one', async () => {
    const d = new CommandDeadlines(150, () => new Error('late'));
    const slow = fakeCommand();
    const quick = fakeCommand();
    d.add(slow as unknown as Command);
    const q = d.add(quick as unknown as Command);
    d.done(q);                                   // answered at once
    expect(d.size).toBe(1);
    await sleep(30);
    expect(slow.rejected).toBeUndefined();       // not before its deadline
    await sleep(300);
    expect((slow.rejected as Error).message).toBe('late');
    expect(quick.rejected).toBeUndefined();
    expect(d.size).toBe(0);
    d.stop();
  });

  it('releases a settled command at once, even behind a slower one, and keeps later deadlines', async () => {
    const d = new CommandDeadlines(300, () => new Error('late'));
    const first = fakeCommand();
    d.add(first as unknown as Command);
    await sleep(150);
    const second = fakeCommand();
    const third = fakeCommand();
    const s2 = d.add(second as unknown as Command);
    d.add(third as unknown as Command);
    d.done(s2);
    expect(d.size).toBe(2);
    await sleep(230);                            // past the first deadline (300) only, not the third (about 450)
    expect(first.rejected).toBeInstanceOf(Error);
    expect(third.rejected).toBeUndefined();
    await sleep(250);
    expect(third.rejected).toBeInstanceOf(Error);
    expect(second.rejected).toBeUndefined();
    d.done(0); d.done(2);                        // late settlements of expired commands are ignored
    expect(d.size).toBe(0);
    d.stop();
  });
});
