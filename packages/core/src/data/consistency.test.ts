import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { RequestConsistency, stateFromToken, tokenOf } from './consistency.js';
import { resolveDatabaseOptions } from './database-options.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe('RequestConsistency (tokens in, position per request)', () => {
  const rc = new RequestConsistency(resolveDatabaseOptions());

  it('reads the token from the header, else from the cookie', () => {
    expect(rc.required(request({ 'x-fleet-lsn': '0/10' }))).toBe(16);
    expect(rc.required(request({ cookie: 'a=b; fleet_lsn=1/0; c=d' }))).toBe(4294967296);
    expect(rc.required(request({ 'x-fleet-lsn': '0/20', cookie: 'fleet_lsn=0/10' }))).toBe(32);
    expect(rc.required(request({ cookie: 'xfleet_lsn=0/99; fleet_lsn=0/10' }))).toBe(16);
  });

  it('ignores missing and malformed tokens (and allocates no state for them)', () => {
    const cases: Array<Record<string, string>> = [{}, { 'x-fleet-lsn': "0/0'; drop table x" }, { cookie: 'fleet_lsn=zzz' }, { cookie: 'other=1' }];
    for (const headers of cases) {
      const req = request(headers);
      expect(rc.required(req)).toBe(0);
      expect(rc.peek(req)).toBeUndefined();
    }
  });

  it('keeps one state per request, seeded by the incoming token', () => {
    const req = request({ 'x-fleet-lsn': '0/10' });
    const state = rc.stateOf(req);
    expect(rc.stateOf(req)).toBe(state);
    expect(tokenOf(state)).toBe('0/10');
  });

  it('prints tokens only for real positions', () => {
    expect(tokenOf(stateFromToken('0/ABC'))).toBe('0/ABC');
    expect(tokenOf(stateFromToken(undefined))).toBeUndefined();
    expect(tokenOf({ lsn: Infinity })).toBeUndefined();
  });

  it('validates names at module definition', () => {
    expect(() => resolveDatabaseOptions({ token: { header: 'bad header' } })).toThrow(/FLEET|not a valid header name/);
    expect(() => resolveDatabaseOptions({ token: { cookieMaxAgeSeconds: 0 } })).toThrow(/positive integer/);
    expect(resolveDatabaseOptions({ token: { cookie: false } }).tokenCookie).toBe(false);
  });
});
