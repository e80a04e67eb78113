export type { HealthIndicator, HealthResult } from './indicator.js';
export type { HealthReport, CheckReport } from './health-report.js';
export type { HealthOptions } from './health-routes.js';
