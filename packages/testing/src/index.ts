export { createTestApp, type TestApp, type TestAppOptions } from './create-test-app.js';
export { FaultProxy, type FaultProxyOptions } from './fault-proxy.js';
export { ManualClock } from './manual-clock.js';
