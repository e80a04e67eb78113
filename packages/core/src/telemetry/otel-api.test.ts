import { describe, expect, it } from 'vitest';
import { otelRegistered } from './otel-api.js';

const KEY = Symbol.for('opentelemetry.js.api.1');

describe('otelRegistered', () => {
  it('reads the API\'s global registry without loading the API', () => {
    const g = globalThis as Record<symbol, unknown>;
    const saved = g[KEY];
    try {
      delete g[KEY];
      expect(otelRegistered('trace')).toBe(false);
      g[KEY] = { version: '1.9.1', diag: {} };
      expect(otelRegistered('trace')).toBe(false);
      g[KEY] = { version: '1.9.1', trace: {}, context: {} };
      expect(otelRegistered('trace')).toBe(true);
      expect(otelRegistered('context')).toBe(true);
      expect(otelRegistered('metrics')).toBe(false);
    } finally {
      if (saved === undefined) delete g[KEY];
      else g[KEY] = saved;
    }
  });

  it('uses the key @opentelemetry/api registers under', async () => {
    const api = await import('@opentelemetry/api');
    const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
    expect(otelRegistered('trace')).toBe(false);
    api.trace.setGlobalTracerProvider(new BasicTracerProvider());
    try {
      expect(otelRegistered('trace')).toBe(true);
    } finally {
      api.trace.disable();
    }
    expect(otelRegistered('trace')).toBe(false);
  });
});
