import { describe, expect, it } from 'vitest';
import { Problems } from './problems.js';
import { isAddressOrRange, resolveTrustProxy } from './trust-proxy.js';

function resolve(option: Parameters<typeof resolveTrustProxy>[0], env: Record<string, string> = {}) {
  const problems = new Problems();
  const value = resolveTrustProxy(option, env, problems);
  let error: string | undefined;
  try { problems.throwIfAny(); } catch (e) { error = (e as Error).message; }
  return { value, error };
}

describe('resolveTrustProxy', () => {
  it('is off by default and for false, 0, "false" or an empty variable', () => {
    for (const [option, env] of [[undefined, {}], [false, {}], [0, {}], [undefined, { FLEET_TRUST_PROXY: 'false' }], [undefined, { FLEET_TRUST_PROXY: ' ' }]] as const) {
      expect(resolve(option, env)).toEqual({ value: false, error: undefined });
    }
  });

  it('turns a hop count into a function trusting that many hops (Fastify refuses bare numbers)', () => {
    const { value } = resolve(2);
    expect(typeof value).toBe('function');
    const trust = value as (a: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => trust('10.0.0.1', hop))).toEqual([true, true, false]);
    expect(typeof resolve(undefined, { FLEET_TRUST_PROXY: '1' }).value).toBe('function');
  });

  it('takes addresses, CIDRs and names as a list or a comma-separated string; the option wins over the variable', () => {
    expect(resolve('10.0.0.0/8, 127.0.0.1 ,loopback').value).toEqual(['10.0.0.0/8', '127.0.0.1', 'loopback']);
    expect(resolve(['::1', 'fd00::/8']).value).toEqual(['::1', 'fd00::/8']);
    expect(resolve(['127.0.0.1'], { FLEET_TRUST_PROXY: '1' }).value).toEqual(['127.0.0.1']);
  });

  it('refuses true and malformed entries, naming them', () => {
    expect(resolve(true).error).toContain('trustProxy: true would trust X-Forwarded-For from any peer');
    expect(resolve(1.5).error).toContain('non-negative integer');
    expect(resolve(['10.0.0.0/40', 'example.com']).error).toContain('"10.0.0.0/40", "example.com" are not an IP address');
  });

  it('recognises addresses and ranges', () => {
    expect(['1.2.3.4', '1.2.3.0/24', '::1', '2001:db8::/32', 'uniquelocal'].every(isAddressOrRange)).toBe(true);
    expect(['1.2.3', '1.2.3.4/33', '::1/129', '1.2.3.4/', 'localhost', '1.2.3.4/x'].some(isAddressOrRange)).toBe(false);
  });
});
