import { createRequire } from 'node:module';
import type { HelmetOptions } from 'helmet';

/**
 * Options of `createApp(..., { securityHeaders })`: helmet's options (https://helmetjs.github.io),
 * merged key by key over Fleet's policy for JSON APIs (`JSON_API_POLICY`), plus `cacheControl`.
 * A key set to `false` drops that header; `true` takes helmet's own default for it.
 */
export type SecurityHeadersOptions = HelmetOptions & {
  /**
   * `Cache-Control` of every response whose handler does not set its own (`reply.header(...)`
   * wins). `false` sends none. @default 'no-store'
   */
  cacheControl?: string | false;
};

/**
 * Fleet's policy for JSON APIs, in helmet's terms. Headers that only matter to HTML documents
 * (Cross-Origin-Opener-Policy, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) are off: each costs bytes on every response
 * and guards nothing a JSON body can do. docs/security.md explains each header that stays.
 */
export const JSON_API_POLICY: Readonly<SecurityHeadersOptions> = Object.freeze({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  originAgentCluster: false,
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  xContentTypeOptions: true,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xPoweredBy: true,
  xXssProtection: false,
  cacheControl: 'no-store',
} as const);

/** helmet's legacy names: a user who writes `hsts` replaces Fleet's `strictTransportSecurity`. */
const ALIASES: Record<string, string> = {
  hsts: 'strictTransportSecurity', noSniff: 'xContentTypeOptions', dnsPrefetchControl: 'xDnsPrefetchControl', ieNoOpen: 'xDownloadOptions',
  frameguard: 'xFrameOptions', permittedCrossDomainPolicies: 'xPermittedCrossDomainPolicies', hidePoweredBy: 'xPoweredBy', xssFilter: 'xXssProtection',
};

type HelmetMiddleware = (req: unknown, res: HeaderRecorder, next: (err?: unknown) => void) => void;
type Helmet = (options?: Readonly<HelmetOptions>) => HelmetMiddleware;

/** A response stand-in that records what helmet sets. */
interface HeaderRecorder {
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
}

/**
 * helmet, resolved through @fastify/helmet (whose dependency it is): the same engine and policy
 * vocabulary as the plugin, run once at boot instead of on every request (decision 060).
 */
function loadHelmet(): Helmet {
  const here = createRequire(import.meta.url);
  const helmet = createRequire(here.resolve('@fastify/helmet'))('helmet') as Helmet & { default?: Helmet };
  return helmet.default ?? helmet;
}

/**
 * The headers of a policy, computed once: helmet's middleware runs against a recording response
 * and what it set becomes a frozen `{ lower-case name: value }` object, which a synchronous hook
 * copies onto every reply. Throws helmet's own error for an invalid policy (the caller wraps it).
 */
export function computeSecurityHeaders(options: SecurityHeadersOptions = {}): Readonly<Record<string, string>> {
  const merged: Record<string, unknown> = { ...JSON_API_POLICY };
  for (const [key, value] of Object.entries(options)) {
    if (ALIASES[key]) delete merged[ALIASES[key]];
    merged[key] = value;
  }
  const { cacheControl, ...helmetOptions } = merged as SecurityHeadersOptions;
  const headers: Record<string, string> = {};
  const recorder: HeaderRecorder = {
    setHeader: (name, value) => { headers[name.toLowerCase()] = String(value); },
    removeHeader: () => undefined,
  };
  let failure: unknown;
  loadHelmet()(helmetOptions as HelmetOptions)({}, recorder, (err) => { failure = err; });
  if (failure) throw failure;
  if (typeof cacheControl === 'string') headers['cache-control'] = cacheControl;
  return Object.freeze(headers);
}
