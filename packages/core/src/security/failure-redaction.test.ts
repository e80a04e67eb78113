import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { FailureRedaction, credentialValues } from './failure-redaction.js';
import { SecretValues } from './secret-values.js';

const request = (headers: Record<string, string | string[]>) => ({ headers } as unknown as FastifyRequest);
const HEADERS = ['authorization', 'cookie', 'x-api-key'];

describe('credentialValues', () => {
  it('finds a bearer token, a basic password, each cookie value and configured headers', () => {
    const basic = `Basic ${Buffer.from('ada:open-sesame').toString('base64')}`;
    expect(credentialValues(request({ authorization: 'Bearer tok-123456' }), HEADERS)).toEqual(['Bearer tok-123456', 'tok-123456']);
    expect(credentialValues(request({ authorization: basic }), HEADERS)).toContain('open-sesame');
    expect(credentialValues(request({ cookie: 'sid=s%3Aabcdef.sig; theme=dark', 'x-api-key': 'k-99999' }), HEADERS))
      .toEqual(expect.arrayContaining(['s%3Aabcdef.sig', 'dark', 'k-99999']));
  });
});

describe('FailureRedaction', () => {
  const secrets = new SecretValues();
  secrets.add('config-secret-1');
  const redaction = new FailureRedaction(secrets, HEADERS);
  const req = request({ authorization: 'Bearer tok-123456' });

  it('removes config secrets and the request credentials from a message', () => {
    expect(redaction.message('token tok-123456 and config-secret-1', req)).toBe('token [Redacted] and [Redacted]');
  });

  it('keeps an error untouched when it carries no credential, else logs a redacted copy of the same class', () => {
    const clean = new TypeError('nothing to hide');
    expect(redaction.error(clean, req)).toBe(clean);
    const leaky = new TypeError('bad token tok-123456', { cause: new Error('upstream said tok-123456') });
    const copy = redaction.error(leaky, req) as TypeError & { cause: Error };
    expect(copy).toBeInstanceOf(TypeError);
    expect(copy.message).toBe('bad token [Redacted]');
    expect(copy.stack).not.toContain('tok-123456');
    expect(copy.cause.message).toBe('upstream said [Redacted]');
    expect(leaky.message).toBe('bad token tok-123456');
  });
});
