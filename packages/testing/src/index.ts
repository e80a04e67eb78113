export { createTestApp, createTestFleet, type TestApp, type TestAppOptions } from './create-test-app.js';
export { FaultProxy, type FaultProxyOptions } from './fault-proxy.js';
export { ManualClock } from './manual-clock.js';
export { Faults, type ServiceName } from './faults.js';
export { Spans } from './spans.js';
export { deleteKeys, withSearchPath } from './isolation.js';
export { fleetVitestConfig, type FleetVitestOptions } from './vitest-preset.js';
