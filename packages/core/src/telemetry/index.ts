export { fleetTracer, fleetMeter } from './telemetry.js';
