import { tracingChannel } from 'node:diagnostics_channel';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Finds the reply of the request being handled, so a write can put its read-your-writes token
 * on the response. Fastify links reply -> request but not back; its public diagnostics channel
 * `tracing:fastify.request.handler` hands both to subscribers just before each handler runs.
 * Subscribed only while a DatabaseModule with read-your-writes is booted (Fastify skips the
 * channel entirely when nobody listens).
 *
 * If createApp ever exposes its Fastify instance to providers, an `onSend` hook registered at
 * boot can replace this file.
 */
const kReply = Symbol('fleet.data.reply');
type Linked = FastifyRequest & { [kReply]?: FastifyReply };

const handlerChannel = tracingChannel<unknown, { request: Linked; reply: FastifyReply }>('fastify.request.handler');
let links = 0;

function link(message: { request: Linked; reply: FastifyReply }): void {
  message.request[kReply] = message.reply;
}

/** Starts linking requests to replies; returns the function that stops it (reference-counted). */
export function linkReplies(): () => void {
  if (links++ === 0) handlerChannel.start.subscribe(link as (m: unknown) => void);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--links === 0) handlerChannel.start.unsubscribe(link as (m: unknown) => void);
  };
}

/** The reply of `request`, while it can still take headers. */
export function openReplyOf(request: FastifyRequest): FastifyReply | undefined {
  const reply = (request as Linked)[kReply];
  return reply !== undefined && !reply.sent && !reply.raw.headersSent ? reply : undefined;
}
