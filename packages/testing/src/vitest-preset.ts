/** Options of `fleetVitestConfig`. */
export interface FleetVitestOptions {
  /** Test files. @default ['src/**\/*.test.ts', 'test/**\/*.test.ts'] */
  include?: string[];
  /** Per-test timeout: tests talk to real PostgreSQL and Redis. @default 30000 ms */
  testTimeout?: number;
  /** Per-hook timeout (booting apps, migrations). @default 60000 ms */
  hookTimeout?: number;
}

/**
 * The vitest settings Fleet apps are tested with, as a plain object for `defineConfig`:
 *
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config';
 * import { fleetVitestConfig } from '@fleet/testing';
 * export default defineConfig(fleetVitestConfig());
 * ```
 *
 * Test files run in separate processes (`pool: 'forks'`: each file has its own module graph, so
 * decorator metadata and process-wide state such as an OpenTelemetry SDK never leak between
 * files), in parallel (`createTestApp` isolates their data), with timeouts sized for real services.
 * Vitest 4 with Vite 8 compiles TypeScript with `emitDecoratorMetadata` from your tsconfig, which
 * constructor injection needs (tsx and plain esbuild do not emit it).
 */
export function fleetVitestConfig(options: FleetVitestOptions = {}) {
  return {
    test: {
      include: options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks' as const,
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: options.hookTimeout ?? 60_000,
      // Real servers and sockets: a test that leaves a handle open should fail loudly, not hang CI.
      teardownTimeout: 10_000,
    },
  };
}
