import { STATUS_CODES } from 'node:http';
import { readResilience } from '../resilience/metadata.js';
import type { ResolvedRateLimitOptions } from '../resilience/rate-limit-options.js';
import type { ResolvedBreakerOptions } from '../resilience/breaker-options.js';
import type { JsonSchema, OpenApiHeader, OpenApiResponse } from './types.js';

/** The component every error response refers to: the one body of the error handler (`ErrorBody`). */
export const ERROR_BODY = 'ErrorBody';

export const ERROR_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The body of every error response.',
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status, repeated.' },
    code: { type: 'string', description: 'A stable code to branch on: FLEET_ERR_* (see the errors reference) or one of the application (e.g. ORDERS_OUT_OF_STOCK).' },
    message: { type: 'string', description: 'For people; never parse it.' },
    details: {
      type: 'array',
      description: 'The problems of an invalid request, all of them.',
      items: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'Where the problem is, e.g. body.items.0.qty or params.id.' },
          message: { type: 'string' },
          rule: { type: 'string', description: 'The rule that failed (type, minimum, required, too_small...).' },
        },
        required: ['path', 'message'],
      },
    },
  },
  required: ['statusCode', 'code', 'message'],
};

/** What the document knows about a route, to tell which errors it can answer with. */
export interface ErrorFacts {
  /** The controller class (its resilience decorators are read from it). */
  cls: Function;
  handler: string;
  /** It validates some part of the request (a schema on @Param, @Query, @Headers or @Body). */
  validates: boolean;
  /** It reads a body (@Body). */
  readsBody: boolean;
  /** Its path has parameters (`/users/:id`): the resource it names may not exist. */
  hasPathParams: boolean;
  /** It needs a security scheme. */
  secured: boolean;
  /** `@ApiDoc({ errors })`. */
  declared: readonly number[];
}

/** Why each status can happen: the codes a client may see, in the response's description. */
type Reasons = Map<number, Set<string>>;

/**
 * The error statuses a route can produce, each with the FLEET_ERR_* codes behind it: 400 when it
 * validates input or reads a body, 401 when it is secured, 404 when its path has parameters, 413
 * and 415 when it reads a body, 429/503/504 from its resilience decorators (read from the class
 * at boot), 500 always, and what `@ApiDoc({ errors })` declares.
 */
export function errorStatuses(facts: ErrorFacts): Reasons {
  const reasons: Reasons = new Map();
  const add = (status: number, code?: string) => {
    const set = reasons.get(status) ?? new Set<string>();
    if (code) set.add(code);
    reasons.set(status, set);
  };
  if (facts.validates) add(400, 'FLEET_ERR_HTTP_VALIDATION');
  if (facts.readsBody) {
    add(400, 'FLEET_ERR_HTTP_MALFORMED_JSON');
    add(413, 'FLEET_ERR_HTTP_BODY_TOO_LARGE');
    add(415, 'FLEET_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
  }
  if (facts.secured) add(401, 'FLEET_ERR_HTTP_UNAUTHORIZED');
  if (facts.hasPathParams) add(404, 'FLEET_ERR_HTTP_NOT_FOUND');
  const stages = resilienceStages(facts.cls, facts.handler);
  const rateLimit = stages.get('rateLimit') as ResolvedRateLimitOptions | undefined;
  if (rateLimit) add(429, 'FLEET_ERR_RESILIENCE_RATE_LIMITED');
  if (rateLimit?.onStoreError === 'deny') add(503, 'FLEET_ERR_RESILIENCE_RATE_LIMIT_UNAVAILABLE');
  // A breaker's fallback answers for an open breaker, so only a breaker without one fails fast with 503.
  if (stages.has('circuitBreaker') && !(stages.get('circuitBreaker') as ResolvedBreakerOptions).fallback) add(503, 'FLEET_ERR_RESILIENCE_CIRCUIT_OPEN');
  if (stages.has('bulkhead')) add(503, 'FLEET_ERR_RESILIENCE_BULKHEAD_FULL');
  if (stages.has('timeout')) add(504, 'FLEET_ERR_RESILIENCE_TIMEOUT');
  add(500, 'FLEET_ERR_HTTP_INTERNAL');
  for (const status of facts.declared) add(status);
  return reasons;
}

/** The stages of a method's resilience decorators, by kind, as declared on its class. */
function resilienceStages(cls: Function, handler: string): Map<string, unknown> {
  // Read from a bare object of the class: on the instance, the installed pipeline has replaced the method.
  const meta = readResilience(Object.create(cls.prototype as object) as object)?.get(handler);
  return new Map([...(meta?.stages ?? new Map())].map(([kind, spec]) => [kind, spec.options]));
}

const RETRY_AFTER: OpenApiHeader = { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } };
const RATE_LIMIT_HEADERS: Record<string, OpenApiHeader> = {
  'Retry-After': RETRY_AFTER,
  'RateLimit-Limit': { description: 'Calls allowed per period.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Calls left in the period (0 here).', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until a call is allowed again.', schema: { type: 'integer' } },
};

/** One error response: the common body, the codes in the description, and the headers Fleet sends with it. */
export function errorResponse(status: number, codes: ReadonlySet<string>): OpenApiResponse {
  const text = STATUS_CODES[status] ?? 'Error';
  const headers = status === 429 ? RATE_LIMIT_HEADERS
    : codes.has('FLEET_ERR_RESILIENCE_CIRCUIT_OPEN') || codes.has('FLEET_ERR_RESILIENCE_RATE_LIMIT_UNAVAILABLE') ? { 'Retry-After': RETRY_AFTER } : undefined;
  return {
    description: codes.size > 0 ? `${text}: ${[...codes].join(', ')}` : text,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_BODY}` } } },
  };
}
