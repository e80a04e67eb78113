import type { FastifyInstance, RouteOptions } from 'fastify';
import { FleetError } from '../errors.js';
import type { Problems } from './problems.js';

/** Options of `createApp(..., { cors })`. CORS is off unless this is given. */
export interface CorsOptions {
  /**
   * Browser origins allowed to call the API: exact origins (`'https://app.example.com'`: scheme,
   * host and port, no path or trailing slash), or `'*'` for any origin, which is refused in
   * production and, everywhere, together with `credentials`.
   */
  origins: readonly string[] | '*';
  /** Let browsers send cookies and `Authorization` (`Access-Control-Allow-Credentials: true`). @default false */
  credentials?: boolean;
  /** Methods a preflight allows. @default ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] */
  methods?: readonly string[];
  /** Request headers a preflight allows. @default the headers the preflight asks for (reflected; only allowed origins get an answer) */
  allowedHeaders?: readonly string[];
  /** Response headers browser code may read. @default ['x-request-id', 'x-fleet-lsn', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'] */
  exposedHeaders?: readonly string[];
  /** How long a browser may cache a preflight answer, in seconds. @default 600 */
  maxAgeSeconds?: number;
}

export interface ResolvedCors {
  readonly origins: ReadonlySet<string> | '*';
  readonly credentials: boolean;
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[] | null;
  readonly exposedHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const DEFAULT_EXPOSED = ['x-request-id', 'x-fleet-lsn', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Validates the CORS options at boot. A wildcard with credentials and (in production) a wildcard
 * at all throw their own codes at once: they are decisions, not typos.
 */
export function resolveCors(options: CorsOptions | false | undefined, production: boolean, problems: Problems): ResolvedCors | undefined {
  if (options === undefined || options === false) return undefined;
  const { origins } = options;
  if (origins === '*' && options.credentials === true) {
    throw new FleetError('FLEET_ERR_SECURITY_CORS_WILDCARD_CREDENTIALS',
      "cors: origins '*' with credentials: true would let any website make requests with your users' cookies or tokens and read the answers. " +
      "Fix: list the origins that may do so (cors: { origins: ['https://app.example.com'], credentials: true }), or drop credentials.");
  }
  if (origins === '*' && production) {
    throw new FleetError('FLEET_ERR_SECURITY_CORS_ORIGINS_REQUIRED',
      "cors: origins '*' is refused in production: name the browser origins that may call this API. " +
      "Fix: cors: { origins: ['https://app.example.com'] } (or remove cors if no browser on another origin calls it).");
  }
  if (origins !== '*' && (!Array.isArray(origins) || origins.length === 0)) {
    if (production) {
      throw new FleetError('FLEET_ERR_SECURITY_CORS_ORIGINS_REQUIRED',
        `cors: origins must be a non-empty list of origins in production; got ${JSON.stringify(origins)}. Fix: cors: { origins: ['https://app.example.com'] }, or cors: false.`);
    }
    problems.add(`cors.origins must be '*' or a non-empty list of origins; got ${JSON.stringify(origins)}.`);
  }
  const list = Array.isArray(origins) ? origins as unknown[] : [];
  for (const o of list) {
    const reason = originProblem(o);
    if (reason) problems.add(`cors.origins: ${JSON.stringify(o)} ${reason}`);
  }
  const names = (field: 'methods' | 'allowedHeaders' | 'exposedHeaders', value: readonly string[] | undefined): void => {
    if (value === undefined) return;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !TOKEN.test(v))) problems.add(`cors.${field} must be a list of header or method names; got ${JSON.stringify(value)}.`);
  };
  names('methods', options.methods);
  names('allowedHeaders', options.allowedHeaders);
  names('exposedHeaders', options.exposedHeaders);
  const maxAge = options.maxAgeSeconds ?? 600;
  if (!Number.isInteger(maxAge) || maxAge < 0) problems.add(`cors.maxAgeSeconds must be a non-negative integer; got ${JSON.stringify(options.maxAgeSeconds)}.`);
  return Object.freeze({
    origins: origins === '*' ? '*' : new Set(list as string[]),
    credentials: options.credentials === true,
    methods: Object.freeze([...(options.methods ?? DEFAULT_METHODS)]),
    allowedHeaders: options.allowedHeaders ? Object.freeze([...options.allowedHeaders]) : null,
    exposedHeaders: Object.freeze([...(options.exposedHeaders ?? DEFAULT_EXPOSED)]),
    maxAgeSeconds: maxAge,
  });
}

/** Why a string is not a serialized origin (`https://host[:port]`), or undefined when it is one. */
function originProblem(o: unknown): string | undefined {
  if (typeof o !== 'string') return 'is not a string.';
  if (o === '*') return "mixes '*' into a list: use origins: '*' alone, or list origins only.";
  if (o === 'null') return "is refused: the 'null' origin is shared by sandboxed frames and local files, so allowing it allows them all.";
  let url: URL;
  try {
    url = new URL(o);
  } catch {
    return 'is not an origin (scheme://host[:port]).';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https.';
  if (url.origin !== o) return `is not written as browsers send it: use ${JSON.stringify(url.origin)} (no path, no trailing slash, lower-case host, no default port).`;
  return undefined;
}

/**
 * Registers @fastify/cors with an allowlist looked up in a Set. A preflight from an origin not on
 * the list is answered 403 with `FLEET_ERR_SECURITY_CORS_ORIGIN_REFUSED` (instead of the plugin's
 * 404), by wrapping the plugin's catch-all OPTIONS route: requests that are not refused
 * preflights do not pay for it.
 */
export async function installCors(fastify: FastifyInstance, cors: ResolvedCors): Promise<void> {
  const { default: fastifyCors } = await import('@fastify/cors');
  const allowed = cors.origins;
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (route.method !== 'OPTIONS' || route.url !== '*') return;
    const handler = route.handler;
    route.handler = function refusePreflight(request, reply) {
      const origin = request.headers.origin;
      if (!(request as typeof request & { corsPreflightEnabled?: boolean }).corsPreflightEnabled && typeof origin === 'string' && request.headers['access-control-request-method'] !== undefined) {
        throw new FleetError('FLEET_ERR_SECURITY_CORS_ORIGIN_REFUSED',
          `The origin ${JSON.stringify(origin.slice(0, 200))} may not call this API from a browser (it is not in the CORS allowlist).`);
      }
      return handler.call(this, request, reply);
    };
  });
  await fastify.register(fastifyCors, {
    origin: allowed === '*' ? '*' : (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: cors.credentials,
    methods: [...cors.methods],
    ...(cors.allowedHeaders ? { allowedHeaders: [...cors.allowedHeaders] } : {}),
    exposedHeaders: [...cors.exposedHeaders],
    maxAge: cors.maxAgeSeconds,
    strictPreflight: true,
  });
}
