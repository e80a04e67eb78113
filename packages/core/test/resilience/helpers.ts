import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Clock, createApp, type AppOptions, type FleetApp } from '@fleet/core';
import { ManualClock } from '@fleet/testing';

/** Log lines an app wrote (pino JSON), for asserting what was logged. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stream = new Writable({
    write: (chunk, _enc, done) => {
      for (const line of String(chunk).split('\n')) if (line) this.lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  messages(): string[] { return this.lines.map((l) => String(l.msg)); }
}

/** Env for an app sharing Redis state with the other instances booted with the same `fleet` env. */
export function fleetEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'orders', ...extra };
}

/** Boots `module` on a ManualClock (shared when given), capturing logs. */
export async function boot(module: unknown, options: { clock?: ManualClock; env?: Record<string, string>; log?: LogCapture } & AppOptions = {}): Promise<{ app: FleetApp; clock: ManualClock; log: LogCapture }> {
  const clock = options.clock ?? new ManualClock();
  const log = options.log ?? new LogCapture();
  const { clock: _c, log: _l, ...rest } = options;
  const app = await createApp(module, {
    ...rest,
    shutdown: { signals: false, ...rest.shutdown },
    logger: { level: 'info', stream: log.stream } as never,
    env: options.env ?? {},
    overrides: [{ provide: Clock, useValue: clock }, ...(options.overrides ?? [])],
  });
  return { app, clock, log };
}

/** A promise's state without waiting for it. */
export async function state(p: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  const marker = Symbol('pending');
  try {
    const v = await Promise.race([p, new Promise((r) => setImmediate(() => r(marker)))]);
    return v === marker ? 'pending' : 'fulfilled';
  } catch {
    return 'rejected';
  }
}

/** A promise that the test settles by hand. */
export function deferred<T = unknown>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
