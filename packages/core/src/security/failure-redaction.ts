import type { FastifyRequest } from 'fastify';
import { REDACTED, type SecretValues } from './secret-values.js';

const MIN_LENGTH = 4;

/**
 * Redaction on the failure path (5xx answers and their error log line), where the request is at
 * hand: the config secrets, plus the credentials this request carried (the token of
 * `Authorization: Bearer <token>`, a Basic password, each cookie value), in case a handler put
 * them into an error message. Costs nothing until something fails. @internal
 */
export class FailureRedaction {
  constructor(private readonly secrets: SecretValues, private readonly headers: readonly string[]) {}

  /** `text` without the config secrets and this request's credentials. */
  message(text: string, request: FastifyRequest): string {
    let out = this.secrets.scrub(text);
    for (const value of credentialValues(request, this.headers)) if (out.includes(value)) out = out.replaceAll(value, REDACTED);
    return out;
  }

  /**
   * The error itself when no credential of the request occurs in its message, stack or causes
   * (config secrets are scrubbed from every log line anyway), else a copy with them replaced.
   */
  error(error: unknown, request: FastifyRequest): unknown {
    if (!(error instanceof Error)) return error;
    const values = credentialValues(request, this.headers);
    if (values.length === 0) return error;
    const text = describe(error);
    if (!values.some((v) => text.includes(v))) return error;
    const scrub = (s: string | undefined) => (s === undefined ? undefined : this.message(s, request));
    const copy = Object.create(Object.getPrototypeOf(error) as object) as Error & Record<string, unknown>;
    copy.message = scrub(error.message)!;
    copy.stack = scrub(error.stack);
    for (const key of ['code', 'statusCode'] as const) if ((error as unknown as Record<string, unknown>)[key] !== undefined) copy[key] = (error as unknown as Record<string, unknown>)[key];
    if (error.cause instanceof Error) copy.cause = this.error(error.cause, request);
    return copy;
  }
}

/** Message, stack and causes of an error, as one string to search. */
function describe(error: Error, depth = 0): string {
  const own = `${error.message}\n${error.stack ?? ''}`;
  return error.cause instanceof Error && depth < 5 ? `${own}\n${describe(error.cause, depth + 1)}` : own;
}

/** The credential strings a request carries, in each form they could be printed. */
export function credentialValues(request: FastifyRequest, headers: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of headers) {
    const raw = request.headers[name];
    for (const value of Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)]) {
      out.push(value);
      if (name === 'authorization' || name === 'proxy-authorization') {
        const space = value.indexOf(' ');
        const credential = space > 0 ? value.slice(space + 1).trim() : '';
        out.push(credential);
        if (/^basic$/i.test(value.slice(0, space))) out.push(Buffer.from(credential, 'base64').toString('utf8').split(':').slice(1).join(':'));
      } else if (name === 'cookie') {
        for (const part of value.split(';')) out.push(part.slice(part.indexOf('=') + 1).trim());
      }
    }
  }
  return [...new Set(out)].filter((v) => v.length >= MIN_LENGTH).sort((a, b) => b.length - a.length);
}
