import { describe, expect, it } from 'vitest';
import { Bulkhead, BulkheadFullError, Injectable, Module, ResilienceRegistry, Signal, Timeout } from '@fleet/core';
import { boot, deferred, state } from './helpers.js';

const gates: Array<ReturnType<typeof deferred>> = [];
const work = () => { const d = deferred(); gates.push(d); return d.promise; };

@Injectable()
class Pdf {
  @Bulkhead({ maxConcurrent: 2 })
  async render() { return work(); }

  @Bulkhead({ maxConcurrent: 1, maxQueue: 2, queueTimeout: '1s' })
  async queued(id: number, @Signal() signal?: AbortSignal) { void id; void signal; return work(); }

  @Bulkhead({ name: 'exports', maxConcurrent: 1 }) async csv() { return work(); }
  @Bulkhead({ name: 'exports', maxConcurrent: 1 }) async xlsx() { return work(); }

  @Timeout('500ms') @Bulkhead({ maxConcurrent: 1, maxQueue: 5 })
  async timed() { return work(); }
}

@Module({ providers: [Pdf] })
class AppModule {}

describe('@Bulkhead', () => {
  it('rejects at once at the limit and frees a slot on completion (success or failure)', async () => {
    const { app } = await boot(AppModule);
    gates.length = 0;
    try {
      const pdf = app.get(Pdf);
      const a = pdf.render();
      const b = pdf.render();
      const full = await pdf.render().catch((e: unknown) => e);
      expect(full).toBeInstanceOf(BulkheadFullError);
      expect(full).toMatchObject({ code: 'FLEET_ERR_RESILIENCE_BULKHEAD_FULL', statusCode: 503 });
      expect(gates).toHaveLength(2);
      gates[0]!.resolve('one');
      await expect(a).resolves.toBe('one');
      const c = pdf.render();
      expect(gates).toHaveLength(3);
      gates[1]!.reject(new Error('render failed'));
      await expect(b).rejects.toThrow('render failed');
      gates[2]!.resolve('three');
      await expect(c).resolves.toBe('three');
      expect(app.get(ResilienceRegistry).bulkhead('Pdf.render')!.snapshot()).toMatchObject({ active: 0 });
    } finally {
      await app.close();
    }
  });

  it('queues up to maxQueue, in order, and rejects beyond it', async () => {
    const { app } = await boot(AppModule);
    gates.length = 0;
    try {
      const pdf = app.get(Pdf);
      const running = pdf.queued(1);
      const q1 = pdf.queued(2);
      const q2 = pdf.queued(3);
      await expect(pdf.queued(4)).rejects.toBeInstanceOf(BulkheadFullError);
      expect(gates).toHaveLength(1);
      expect(app.get(ResilienceRegistry).bulkhead('Pdf.queued')!.snapshot()).toMatchObject({ active: 1, waiting: 2 });
      gates[0]!.resolve(1);
      await running;
      await expect.poll(() => gates.length).toBe(2);
      gates[1]!.resolve(2);
      await expect(q1).resolves.toBe(2);
      await expect.poll(() => gates.length).toBe(3);
      gates[2]!.resolve(3);
      await expect(q2).resolves.toBe(3);
    } finally {
      await app.close();
    }
  });

  it('a queued caller that times out or is aborted leaves the queue', async () => {
    const { app, clock } = await boot(AppModule);
    gates.length = 0;
    try {
      const pdf = app.get(Pdf);
      const running = pdf.queued(1);
      const willTimeOut = pdf.queued(2).catch((e: unknown) => e);
      const controller = new AbortController();
      const willAbort = pdf.queued(3, controller.signal).catch((e: unknown) => e);
      controller.abort(new Error('caller left'));
      expect(((await willAbort) as Error).message).toBe('caller left');
      expect(app.get(ResilienceRegistry).bulkhead('Pdf.queued')!.snapshot()).toMatchObject({ waiting: 1 });
      await clock.advance('1s');
      expect(await willTimeOut).toMatchObject({ code: 'FLEET_ERR_RESILIENCE_BULKHEAD_FULL' });
      expect(app.get(ResilienceRegistry).bulkhead('Pdf.queued')!.snapshot()).toMatchObject({ active: 1, waiting: 0, queueTimeouts: 1, aborted: 1 });
      gates[0]!.resolve('done');
      await running;
      expect(gates).toHaveLength(1);      // nobody left in the queue to start
      const next = pdf.queued(4);
      expect(gates).toHaveLength(2);      // the slot is free
      gates[1]!.resolve('next');
      await next;
    } finally {
      await app.close();
    }
  });

  it('an outer @Timeout takes a queued call out of the queue', async () => {
    const { app, clock } = await boot(AppModule);
    gates.length = 0;
    try {
      const pdf = app.get(Pdf);
      const running = pdf.timed().catch((e: unknown) => e);
      const queued = pdf.timed().catch((e: unknown) => e);
      await clock.advance('500ms');
      expect(await queued).toMatchObject({ code: 'FLEET_ERR_RESILIENCE_TIMEOUT' });
      expect(await running).toMatchObject({ code: 'FLEET_ERR_RESILIENCE_TIMEOUT' });
      expect(app.get(ResilienceRegistry).bulkhead('Pdf.timed')!.snapshot()).toMatchObject({ waiting: 0 });
    } finally {
      await app.close();
    }
  });

  it('a named compartment is shared by the methods that name it', async () => {
    const { app } = await boot(AppModule);
    gates.length = 0;
    try {
      const pdf = app.get(Pdf);
      const csv = pdf.csv();
      await expect(pdf.xlsx()).rejects.toBeInstanceOf(BulkheadFullError);
      gates[0]!.resolve('csv');
      await csv;
      expect(await state(pdf.xlsx())).toBe('pending');
    } finally {
      await app.close();
    }
  });
});
