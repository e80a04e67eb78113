import { describe, expect, it } from 'vitest';
import { Problems } from './problems.js';
import { resolveCors } from './cors.js';

describe('resolveCors', () => {
  it('is off unless configured', () => {
    expect(resolveCors(undefined, true, new Problems())).toBeUndefined();
    expect(resolveCors(false, true, new Problems())).toBeUndefined();
  });

  it('resolves defaults for an allowlist', () => {
    const cors = resolveCors({ origins: ['https://app.example.com'] }, true, new Problems())!;
    expect(cors.origins).toEqual(new Set(['https://app.example.com']));
    expect(cors).toMatchObject({ credentials: false, methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], allowedHeaders: null, maxAgeSeconds: 600 });
    expect(cors.exposedHeaders).toContain('x-fleet-lsn');
  });

  it('throws the two decisions with their own codes', () => {
    expect(() => resolveCors({ origins: '*', credentials: true }, false, new Problems())).toThrow(expect.objectContaining({ code: 'FLEET_ERR_SECURITY_CORS_WILDCARD_CREDENTIALS' }));
    expect(() => resolveCors({ origins: '*' }, true, new Problems())).toThrow(expect.objectContaining({ code: 'FLEET_ERR_SECURITY_CORS_ORIGINS_REQUIRED' }));
  });

  it('collects malformed origins, names and max age', () => {
    const problems = new Problems();
    resolveCors({ origins: ['https://a.example.com:443', '*'], methods: ['GET POST'], maxAgeSeconds: -1 }, false, problems);
    expect(() => problems.throwIfAny()).toThrow(/use "https:\/\/a\.example\.com" [\s\S]*mixes '\*' into a list[\s\S]*cors\.methods[\s\S]*cors\.maxAgeSeconds/);
  });
});
