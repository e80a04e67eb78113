import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Config, secret } from '../config/config.js';
import { loadConfigs } from '../config/config.js';
import { SecretValues, needlesOf } from './secret-values.js';

describe('SecretValues', () => {
  it('collects the secret fields of config instances (through optional and default), not the others', () => {
    class AppConfig extends Config(z.object({
      API_KEY: secret(z.string()),
      DB: secret(z.string().optional()),
      PEPPER: secret(z.string().default('pepper-default-value')),
      NAME: z.string(),
    })) {}
    const instance = loadConfigs([AppConfig], { API_KEY: 'key-1234567', DB: 'postgres://u:pa%24%24word@h/db', NAME: 'visible-name' }).get(AppConfig);
    const secrets = new SecretValues();
    secrets.collect([instance, { not: 'a config' }, null]);
    const line = JSON.stringify({ a: 'key-1234567', b: 'pa$$word', c: 'pepper-default-value', d: 'visible-name' });
    expect(secrets.scrub(line)).toBe('{"a":"[Redacted]","b":"[Redacted]","c":"[Redacted]","d":"visible-name"}');
  });

  it('replaces the longest match first, and the JSON-escaped form', () => {
    const secrets = new SecretValues();
    secrets.add('abcd', 'abcdefgh', 'quo"te\\d');
    expect(secrets.scrub('xabcdefghx abcd')).toBe('x[Redacted]x [Redacted]');
    expect(secrets.scrub(JSON.stringify({ v: 'quo"te\\d' }))).toBe('{"v":"[Redacted]"}');
  });

  it('skips values too short to be secrets, and returns the same string when nothing matches', () => {
    expect(needlesOf('abc')).toEqual([]);
    expect(needlesOf(['one-secret', 12345])).toEqual(['one-secret', 'one-secret', '12345', '12345']);
    const secrets = new SecretValues();
    const text = 'nothing here';
    expect(secrets.scrub(text)).toBe(text);
  });
});
