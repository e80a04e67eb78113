import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../http/error-handler.js';

/**
 * Answers for the requests Fastify rejects before any route or hook runs, in Fleet's error body
 * and with the security headers (Fastify's own answers have neither, and echo the raw URL):
 * - `frameworkErrors`: a URL that does not decode, a path parameter over `maxParamLength`;
 * - `clientErrorHandler`: what Node's parser refuses on the socket (headers or request not
 *   received within the timeouts, headers too large, malformed HTTP). @internal
 */
export function clientErrorHandlers(headers: Readonly<Record<string, string>>): {
  frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;
  clientErrorHandler: (this: FastifyInstance, error: Error & { code?: string }, socket: Socket) => void;
} {
  const rawHeaders = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return {
    frameworkErrors(error, request, reply) {
      const body: ErrorBody = error.code === 'FST_ERR_ASYNC_CONSTRAINT'
        ? { statusCode: 500, code: 'FLEET_ERR_HTTP_INTERNAL', message: 'Internal server error' }
        : { statusCode: 400, code: 'FLEET_ERR_HTTP_BAD_REQUEST', message: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The request URL is not valid' };
      if (body.statusCode >= 500) request.log.error({ err: error }, 'request failed with an unexpected error');
      void reply.code(body.statusCode).headers(headers).header('x-request-id', request.id).send(body);
    },
    clientErrorHandler(error, socket) {
      // A reset connection has nobody left to answer (as in Fastify's handler).
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const body: ErrorBody = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? { statusCode: 408, code: 'FLEET_ERR_SECURITY_REQUEST_TIMEOUT', message: 'The request was not received in time' }
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? { statusCode: 431, code: 'FLEET_ERR_SECURITY_HEADERS_TOO_LARGE', message: 'The request headers are too large' }
          : { statusCode: 400, code: 'FLEET_ERR_HTTP_BAD_REQUEST', message: 'Malformed HTTP request' };
      this.log.debug({ code: body.code, parserError: error.code, remoteAddress: socket.remoteAddress }, 'client error: connection closed');
      if (socket.writable) {
        const json = JSON.stringify(body);
        socket.write(`HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n${rawHeaders}\r\n${json}`);
      }
      socket.destroy(error);
    },
  };
}
