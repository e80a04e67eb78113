import type { FastifyServerOptions } from 'fastify';
import type { Problems } from './problems.js';
import { REDACTED, type SecretValues } from './secret-values.js';

/** Request and response headers that carry credentials: always redacted in logs. */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** The credential headers plus the app's own (`redactHeaders`), validated and lower-cased. */
export function resolveRedactedHeaders(extra: readonly string[] | undefined, problems: Problems): readonly string[] {
  const names = new Set(CREDENTIAL_HEADERS);
  for (const h of extra ?? []) {
    const name = typeof h === 'string' ? h.toLowerCase() : '';
    if (!HEADER_NAME.test(name)) problems.add(`redactHeaders: ${JSON.stringify(h)} is not a header name.`);
    else names.add(name);
  }
  return Object.freeze([...names]);
}

/**
 * pino `redact` paths for the places a headers object ends up in a log line: logged as is
 * (`log.info(request.headers)`), under `headers`, `request`, `reply` or `response`, Node's
 * `rawHeaders`, and an HTTP client's error (`err.config.headers`, as axios puts it). No wildcard
 * and nothing under `req` or `res`: those keys are on every request line, and pino copies a value
 * it redacts in (a path under them, or a wildcard, costs 3 to 4 us per line); Fastify's `req` and
 * `res` serializers already keep headers out of those lines.
 */
export function redactPaths(headers: readonly string[]): string[] {
  const paths = ['rawHeaders', 'request.rawHeaders', 'request.raw.rawHeaders'];
  const parents = ['headers', 'request.headers', 'request.raw.headers', 'reply.headers', 'response.headers', 'err.config.headers', 'err.request.headers'];
  for (const h of headers) {
    const titleCase = h.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    for (const name of new Set([h, titleCase])) {
      const member = /^[a-z_$][\w$]*$/i.test(name) ? `.${name}` : `["${name}"]`;
      paths.push(member.startsWith('.') ? name : member, ...parents.map((p) => `${p}${member}`));
    }
  }
  return paths;
}

type LoggerOption = NonNullable<FastifyServerOptions['logger']>;
interface PinoLike { redact?: string[] | { paths: string[]; censor?: unknown; remove?: boolean }; hooks?: { streamWrite?: (s: string) => string } }

/**
 * The logger options with Fleet's redaction merged in: header paths (pino `redact`, compiled once
 * by pino) and secret values (a `streamWrite` hook over the finished line: a few `includes` per
 * line, nothing when the app has no secrets). The app's own redact paths and hooks are kept.
 */
export function secureLogger(logger: boolean | LoggerOption, headers: readonly string[], secrets: SecretValues): boolean | LoggerOption {
  if (logger === false || typeof logger !== 'object') return logger;
  const own = logger as PinoLike & Record<string, unknown>;
  const ownRedact = Array.isArray(own.redact) ? { paths: own.redact } : own.redact;
  const ownWrite = own.hooks?.streamWrite;
  const streamWrite = ownWrite
    ? (line: string) => ownWrite(secrets.size === 0 ? line : secrets.scrub(line))
    : (line: string) => (secrets.size === 0 ? line : secrets.scrub(line));
  return {
    ...own,
    redact: { censor: REDACTED, ...ownRedact, paths: [...new Set([...(ownRedact?.paths ?? []), ...redactPaths(headers)])] },
    hooks: { ...(own.hooks ?? {}), streamWrite },
  } as LoggerOption;
}
