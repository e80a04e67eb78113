import type { FastifyInstance } from 'fastify';
import { FleetError } from '../errors.js';

/** Each escape of JSON text as a unit (`\\` included, so a `\u` after an escaped backslash is not an escape). */
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|[^u])/g;

/**
 * Why a JSON text's strings cannot be stored or passed on safely, or undefined: `\u0000` (which
 * PostgreSQL refuses in text and jsonb, and C libraries read as the end of a string) or a lone
 * surrogate (not Unicode at all: I-JSON, RFC 7493, forbids it; jsonb refuses it). Only escapes
 * matter: the body was decoded from UTF-8, which cannot yield either character raw, and a raw
 * control character is invalid JSON anyway.
 */
export function unsafeJsonString(text: string): string | undefined {
  let highEnd = -1; // where a high surrogate's escape ends, while it waits for its low half
  for (const m of text.matchAll(ESCAPE)) {
    const cp = m[1] === undefined ? -1 : parseInt(m[1], 16);
    const low = cp >= 0xdc00 && cp <= 0xdfff;
    if (highEnd >= 0) {
      if (low && m.index === highEnd) { highEnd = -1; continue; }
      return 'a lone surrogate';
    }
    if (cp === 0) return 'U+0000';
    if (cp >= 0xd800 && cp <= 0xdbff) highEnd = m.index + 6;
    else if (low) return 'a lone surrogate';
  }
  return highEnd >= 0 ? 'a lone surrogate' : undefined;
}

/**
 * Replaces Fastify's JSON parser by the same parser (prototype poisoning refused) behind that
 * check. A body without any `\u` escape (most) costs one `indexOf`. Route body limits still apply.
 */
export function installJsonStringGuard(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.indexOf('\\u') !== -1) {
      const problem = unsafeJsonString(text);
      if (problem) {
        done(new FleetError('FLEET_ERR_SECURITY_UNSAFE_JSON_STRING', `A string in the request body contains ${problem}, which this API does not accept.`), undefined);
        return;
      }
    }
    parse(request, text, done);
  });
}
