import { describe, expect, it } from 'vitest';
import { ManualClock } from '@fleet/testing';
import { resolveBreakerOptions, type CircuitBreakerOptions } from './breaker-options.js';
import { Circuit, type CircuitState } from './circuit.js';
import { CircuitOpenError } from './resilience-errors.js';

function circuit(options: CircuitBreakerOptions = {}) {
  const clock = new ManualClock();
  const transitions: string[] = [];
  const c = new Circuit(resolveBreakerOptions(options, 'T.m'), clock, {
    onTransition: (_c, from: CircuitState, to: CircuitState, source) => { transitions.push(`${from}->${to}${source === 'fleet' ? ' (fleet)' : ''}`); },
  });
  const ok = () => c.onSuccess(undefined);
  const fail = (e: unknown = new Error('down')) => { try { c.onFailure(e); } catch { /* rethrown */ } };
  return { c, clock, transitions, ok, fail };
}

describe('Circuit', () => {
  it('count mode: opens at failureThreshold failures among the last windowSize calls', () => {
    const { c, ok, fail } = circuit({ failureThreshold: 3, windowSize: 5 });
    fail(); fail(); ok(); ok(); ok(); ok(); // the two failures slid out of the window
    expect(c.state).toBe('closed');
    fail(); fail(); ok(); fail();
    expect(c.state).toBe('open');
  });

  it('ignores client errors: they neither count nor change the window', () => {
    const { c, fail } = circuit({ failureThreshold: 2 });
    const notFound = Object.assign(new Error('nope'), { statusCode: 404 });
    for (let i = 0; i < 10; i++) fail(notFound);
    expect(c.state).toBe('closed');
    expect(c.snapshot()).toMatchObject({ ignored: 10, windowCalls: 0 });
  });

  it('rate mode: judges only once minimumCalls are in the window', () => {
    const { c, ok, fail } = circuit({ failureRate: 0.5, windowSize: 10, minimumCalls: 4 });
    fail(); fail(); fail();
    expect(c.state).toBe('closed'); // 3 calls < minimumCalls
    ok(); ok(); ok();
    expect(c.state).toBe('closed'); // 3/6 = 50%, but the last record was a success: judged on failures only
    fail();
    expect(c.state).toBe('open'); // 4/7 >= 50%
  });

  it('open fails fast until the recovery timeout, then half-open admits exactly N trials', async () => {
    const { c, clock, transitions, fail } = circuit({ failureThreshold: 1, recoveryTimeout: '30s', halfOpenTrials: 2 });
    fail();
    expect(c.admitTrial()).toBeInstanceOf(CircuitOpenError);
    expect(c.admitTrial()!.retryAfterMs).toBe(30_000);
    await clock.advance('30s');
    expect(c.admitTrial()).toBeUndefined();
    expect(c.admitTrial()).toBeUndefined();
    expect(c.admitTrial()).toBeInstanceOf(CircuitOpenError); // a third concurrent trial is refused
    const g = c.generation;
    c.settleTrial(g, undefined, false, 1);
    expect(c.state).toBe('half-open');
    c.settleTrial(g, undefined, false, 1);
    expect(c.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a failed trial re-opens; an ignored error gives its trial slot back without counting', async () => {
    const { c, clock, fail } = circuit({ failureThreshold: 1, recoveryTimeout: '1s' });
    fail();
    await clock.advance('1s');
    expect(c.admitTrial()).toBeUndefined();
    expect(c.admitTrial()).toBeInstanceOf(CircuitOpenError);
    c.settleTrial(c.generation, Object.assign(new Error('bad input'), { statusCode: 400 }), true, 1);
    expect(c.state).toBe('half-open');
    expect(c.admitTrial()).toBeUndefined(); // the slot is free again
    c.settleTrial(c.generation, new Error('still down'), true, 1);
    expect(c.state).toBe('open');
    expect(c.openForMs()).toBe(1000);
  });

  it('slow calls open the breaker when slowCallDuration is set', () => {
    const { c } = circuit({ failureThreshold: 5, slowCallDuration: '2s', slowCallThreshold: 2 });
    c.settleTimed(undefined, false, 1999);
    c.settleTimed(undefined, false, 2000);
    expect(c.state).toBe('closed');
    c.settleTimed(undefined, false, 5000);
    expect(c.state).toBe('open');
  });

  it('validates its options at decoration time', () => {
    expect(() => resolveBreakerOptions({ failureThreshold: 20, windowSize: 10 }, 'T.m')).toThrow(/larger than windowSize/);
    expect(() => resolveBreakerOptions({ failureRate: 1.5 }, 'T.m')).toThrow(/fraction in \(0, 1\]/);
    expect(resolveBreakerOptions({}, 'T.m')).toMatchObject({ name: 'T.m', mode: 'count', failureThreshold: 5, windowSize: 10, recoveryMs: 30_000, halfOpenTrials: 1 });
  });
});
