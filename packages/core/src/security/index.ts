export { JSON_API_POLICY, type SecurityHeadersOptions } from './security-headers.js';
export type { CorsOptions } from './cors.js';
export type { ServerTimeoutOptions } from './server-timeouts.js';
export type { TrustProxySetting } from './trust-proxy.js';
