/**
 * Fleet's bench app (bench/servers/fleet.ts) with its default security headers turned off
 * (`securityHeaders: false`): the same responses, byte for byte in headers, as the raw Fastify
 * servers that send none. A diagnostic kind for `node bench/run.mjs --pairs
 * bench/dist/servers/fleet-no-headers.js:equalized`: it separates what Fleet's own code costs per
 * request from what the headers (a default of issue 11, measured on their own in bench/security.mjs) cost.
 */
import { startWith } from './fleet.js';

export function start(at: { port: number; host: string }): ReturnType<typeof startWith> {
  return startWith(at, { securityHeaders: false });
}
