import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Problems } from './problems.js';
import { CREDENTIAL_HEADERS, redactPaths, resolveRedactedHeaders, secureLogger } from './log-redaction.js';
import { SecretValues } from './secret-values.js';

function logger(options: object): { log: pino.Logger; lines: () => Array<Record<string, any>> } {
  const out: string[] = [];
  const stream = new Writable({ write(c, _e, cb) { out.push(String(c)); cb(); } });
  return { log: pino(options as pino.LoggerOptions, stream), lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('log redaction', () => {
  it('adds configured header names, lower-cased, and refuses what is not a header name', () => {
    const problems = new Problems();
    expect(resolveRedactedHeaders(['X-Api-Key'], problems)).toEqual([...CREDENTIAL_HEADERS, 'x-api-key']);
    resolveRedactedHeaders(['bad header'], problems);
    expect(() => problems.throwIfAny()).toThrow(/redactHeaders: "bad header" is not a header name/);
  });

  it('has no wildcard and nothing under req or res (keys of every request line)', () => {
    const paths = redactPaths(CREDENTIAL_HEADERS);
    expect(paths.some((p) => p.includes('*') || /^(req|res)[.[]/.test(p))).toBe(false);
    expect(paths).toContain('err.config.headers.Authorization');
  });

  it('redacts headers, keeps the app options, and scrubs secret values from whole lines', () => {
    const secrets = new SecretValues();
    const options = secureLogger({ level: 'info', redact: ['password'] } as never, [...CREDENTIAL_HEADERS, 'x-api-key'], secrets);
    const { log, lines } = logger(options as object);
    secrets.add('live-secret-value');
    log.info({ headers: { authorization: 'Bearer t', 'x-api-key': 'k', accept: '*/*' }, password: 'p' }, 'one');
    log.info({ err: { message: 'boom', config: { headers: { Authorization: 'Bearer t' } } } }, 'axios error');
    log.info('value live-secret-value in a message');
    const [one, axios, value] = lines();
    expect(one).toMatchObject({ headers: { authorization: '[Redacted]', 'x-api-key': '[Redacted]', accept: '*/*' }, password: '[Redacted]' });
    expect(axios.err.config.headers.Authorization).toBe('[Redacted]');
    expect(value.msg).toBe('value [Redacted] in a message');
  });

  it('leaves a disabled logger disabled', () => {
    expect(secureLogger(false, CREDENTIAL_HEADERS, new SecretValues())).toBe(false);
  });
});
