import { FleetError, type ErrorDetail, type FleetErrorCode } from '../errors.js';

/**
 * Errors that map to an HTTP response. Throw them from controllers and services; the error
 * handler renders `{ statusCode, code, message, details? }`. `code` may be an application code
 * (e.g. `ORDERS_OUT_OF_STOCK`) so clients can branch on it.
 */
export class HttpError extends FleetError {
  constructor(statusCode: number, message: string, options: { code?: string; details?: ErrorDetail[]; cause?: unknown } = {}) {
    super('FLEET_ERR_HTTP_BAD_REQUEST', message, { statusCode, details: options.details, cause: options.cause });
    if (options.code) (this as { code: string }).code = options.code;
    else (this as { code: string }).code = defaultCodeFor(statusCode);
  }
}

const CODE_BY_STATUS: Record<number, FleetErrorCode> = {
  400: 'FLEET_ERR_HTTP_BAD_REQUEST',
  401: 'FLEET_ERR_HTTP_UNAUTHORIZED',
  403: 'FLEET_ERR_HTTP_FORBIDDEN',
  404: 'FLEET_ERR_HTTP_NOT_FOUND',
  405: 'FLEET_ERR_HTTP_METHOD_NOT_ALLOWED',
  409: 'FLEET_ERR_HTTP_CONFLICT',
  413: 'FLEET_ERR_HTTP_BODY_TOO_LARGE',
  415: 'FLEET_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
  422: 'FLEET_ERR_HTTP_UNPROCESSABLE',
  503: 'FLEET_ERR_HTTP_SERVICE_UNAVAILABLE',
};

function defaultCodeFor(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'FLEET_ERR_HTTP_INTERNAL' : 'FLEET_ERR_HTTP_BAD_REQUEST');
}

type Opts = { code?: string; details?: ErrorDetail[]; cause?: unknown };

export class BadRequestError extends HttpError { constructor(message = 'Bad request', o?: Opts) { super(400, message, o); } }
export class UnauthorizedError extends HttpError { constructor(message = 'Unauthorized', o?: Opts) { super(401, message, o); } }
export class ForbiddenError extends HttpError { constructor(message = 'Forbidden', o?: Opts) { super(403, message, o); } }
export class NotFoundError extends HttpError { constructor(message = 'Not found', o?: Opts) { super(404, message, o); } }
export class ConflictError extends HttpError { constructor(message = 'Conflict', o?: Opts) { super(409, message, o); } }
export class UnprocessableEntityError extends HttpError { constructor(message = 'Unprocessable entity', o?: Opts) { super(422, message, o); } }
export class ServiceUnavailableError extends HttpError { constructor(message = 'Service unavailable', o?: Opts) { super(503, message, o); } }
