import { createRequire } from 'node:module';
import type * as Api from '@opentelemetry/api';

/** `@opentelemetry/api`, as a module object. */
export type OtelApi = typeof Api;

/**
 * The key under which `@opentelemetry/api` 1.x keeps its global registry (`{ version, trace,
 * metrics, context, propagation, diag }`) on `globalThis`: `Symbol.for('opentelemetry.js.api.' +
 * major)` in api/build/src/internal/global-utils.js. An SDK registers its providers there through
 * whichever copy of the API it imports; the API's own `getGlobal` reads them from there too. Core
 * accepts api >=1.9 <1.10, so the major is 1.
 */
const REGISTRY = Symbol.for('opentelemetry.js.api.1');

/** A global the API can hold a registration for. */
export type OtelGlobal = 'trace' | 'metrics' | 'context' | 'propagation';

/**
 * Whether something registered a global `kind` (a tracer provider, a meter provider, a context
 * manager, a propagator) with any copy of `@opentelemetry/api` 1.x: one property read, without
 * loading the API. When this is false the API would hand out no-ops for `kind` (its `getGlobal`
 * finds nothing), so the caller can skip it exactly; when it is true the caller loads the API,
 * which also checks that the registered version is compatible.
 */
export function otelRegistered(kind: OtelGlobal): boolean {
  const registry = (globalThis as { [REGISTRY]?: Partial<Record<OtelGlobal, unknown>> })[REGISTRY];
  return registry !== undefined && registry[kind] !== undefined;
}

let api: OtelApi | undefined;

/**
 * `@opentelemetry/api`, loaded on first use (about 25 ms of start-up, decision 008): when an SDK
 * is registered, by the boot-time checks; otherwise only when the app calls `fleetTracer()` or
 * `fleetMeter()` itself. It is CommonJS under Node whether imported or required, so this is the
 * same module instance an `import '@opentelemetry/api'` of the app gets.
 */
export function otelApi(): OtelApi {
  return api ??= createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
}
