import { describe, expect, it } from 'vitest';
import { computeSecurityHeaders } from './security-headers.js';

describe('computeSecurityHeaders', () => {
  it("is Fleet's JSON API policy by default", () => {
    expect(computeSecurityHeaders()).toEqual({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
  });

  it("accepts helmet's legacy names in place of Fleet's", () => {
    const headers = computeSecurityHeaders({ hsts: { maxAge: 60 }, frameguard: false });
    expect(headers['strict-transport-security']).toBe('max-age=60; includeSubDomains');
    expect(headers['x-frame-options']).toBeUndefined();
  });

  it("turns helmet's defaults back on with true, and throws helmet's error for a bad value", () => {
    expect(computeSecurityHeaders({ xXssProtection: true, crossOriginOpenerPolicy: true })).toMatchObject({ 'x-xss-protection': '0', 'cross-origin-opener-policy': 'same-origin' });
    expect(() => computeSecurityHeaders({ referrerPolicy: { policy: 'nope' as never } })).toThrow();
  });

  it('is frozen', () => {
    expect(Object.isFrozen(computeSecurityHeaders())).toBe(true);
  });
});
