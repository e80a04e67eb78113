import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FleetError, type ErrorDetail } from '../errors.js';
import { HttpError } from './http-errors.js';
import { asFrozenFieldError } from '../state/freeze.js';
import type { ErrorObject } from 'ajv';
import { ajvDetails } from './validation.js';

/** The one body shape of every error response. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: ErrorDetail[];
}

const FASTIFY_CODES: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'FLEET_ERR_HTTP_MALFORMED_JSON', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'FLEET_ERR_HTTP_MALFORMED_JSON', message: 'The request body is empty but its content type is JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'FLEET_ERR_HTTP_BODY_TOO_LARGE', message: 'The request body is larger than this route accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'FLEET_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content type' },
};

export interface ErrorHandlerOptions {
  /** Hide messages of unexpected errors (5xx) from clients. */
  production: boolean;
  /** Removes config secrets and the request's own credentials from 5xx bodies and their log line (failure path only). */
  redact?: { message(text: string, request: FastifyRequest): string; error(error: unknown, request: FastifyRequest): unknown };
}

/** Maps every error to `{ statusCode, code, message, details? }`; unexpected ones are logged with the request id. */
export function installErrorHandling(fastify: FastifyInstance, options: ErrorHandlerOptions): void {
  fastify.setErrorHandler((raw: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const error = (asFrozenFieldError(raw) ?? raw) as FastifyError;
    const body = error.validation ? validationBody(request) : toBody(error, options.production);
    // Unexpected errors at error level; deliberate 5xx answers (a breaker open, a timeout) at warn, with their code.
    if (body.statusCode >= 500) {
      const redact = options.redact;
      if (error instanceof FleetError && error.statusCode !== 500) request.log.warn({ code: error.code, statusCode: error.statusCode }, redact ? redact.message(error.message, request) : error.message);
      else request.log.error({ err: redact ? redact.error(error, request) : error }, 'request failed with an unexpected error');
      if (redact) body.message = redact.message(body.message, request);
    }
    reply.header('x-request-id', request.id);
    // A FleetError may carry response headers of its own (Retry-After, RateLimit-*): sent with its body.
    if (error instanceof FleetError && body.statusCode === error.statusCode && isHeaders((error as { headers?: unknown }).headers)) reply.headers((error as unknown as { headers: Record<string, string> }).headers);
    return reply.code(body.statusCode).send(body);
  });
  fastify.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0];
    return reply.code(404).header('x-request-id', request.id).send({ statusCode: 404, code: 'FLEET_ERR_HTTP_ROUTE_NOT_FOUND', message: `No route for ${request.method} ${path}` } satisfies ErrorBody);
  });
}

const PARTS = [['params', 'params'], ['querystring', 'query'], ['headers', 'headers'], ['body', 'body']] as const;

/**
 * Fastify stops at the first invalid part of the request; to list every issue at once, the
 * (already compiled) validators of all parts run again here, on the failure path only.
 */
function validationBody(request: FastifyRequest): ErrorBody {
  const details = [];
  const schema = request.routeOptions.schema ?? {};
  for (const [part, field] of PARTS) {
    if (!(schema as Record<string, unknown>)[part]) continue;
    const validate = request.getValidationFunction(part);
    if (validate && !validate((request as unknown as Record<string, unknown>)[field])) details.push(...ajvDetails((validate.errors ?? []) as ErrorObject[], part));
  }
  return { statusCode: 400, code: 'FLEET_ERR_HTTP_VALIDATION', message: `Invalid request: ${details.length} problem${details.length === 1 ? '' : 's'}`, details };
}

const GENERIC: Record<number, string> = { 502: 'Bad gateway', 503: 'Service unavailable', 504: 'Gateway timeout' };

function toBody(error: FastifyError, production: boolean): ErrorBody {
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return { statusCode: error.statusCode ?? 400, ...known };
  if (error instanceof FleetError) {
    // In production a 5xx never carries internals (hosts, statements) to clients: the code stays,
    // the message becomes generic, unless the app threw an HttpError with a message meant for them.
    if (production && error.statusCode >= 500 && !(error instanceof HttpError)) {
      return error.statusCode === 500
        ? { statusCode: 500, code: 'FLEET_ERR_HTTP_INTERNAL', message: 'Internal server error' }
        : { statusCode: error.statusCode, code: error.code, message: GENERIC[error.statusCode] ?? 'Service error' };
    }
    return { statusCode: error.statusCode, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { statusCode: error.statusCode, code: 'FLEET_ERR_HTTP_BAD_REQUEST', message: error.message };
  }
  return { statusCode: 500, code: 'FLEET_ERR_HTTP_INTERNAL', message: production ? 'Internal server error' : (error?.message ?? String(error)) };
}

function isHeaders(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}
