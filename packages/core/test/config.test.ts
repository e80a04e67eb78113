import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Config, FleetBootError, Injectable, Module, createApp, secret, type FleetError } from '@fleet/core';

class AppConfig extends Config(z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.url(),
  MODE: z.enum(['fleet', 'solo']).default('fleet'),
  API_KEY: secret(z.string().min(32)),
  FEATURE_X: z.stringbool().default(false),
})) {}

@Injectable()
class UsesConfig { constructor(readonly config: AppConfig) {} }

@Module({ providers: [UsesConfig] })
class AppModule {}

const good = { DATABASE_URL: 'postgres://127.0.0.1:5432/test', API_KEY: 'k'.repeat(32), FEATURE_X: 'true' };

describe('typed config', () => {
  it('parses the environment once, types it, freezes it and injects it by type', async () => {
    const app = await createApp(AppModule, { logger: false, config: AppConfig, env: good });
    const cfg = app.get(UsesConfig).config;
    expect(cfg).toBe(app.config);
    expect(cfg).toBeInstanceOf(AppConfig);
    expect({ port: cfg.PORT, mode: cfg.MODE, x: cfg.FEATURE_X }).toEqual({ port: 3000, mode: 'fleet', x: true });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(() => { (cfg as { PORT: number }).PORT = 1; }).toThrow(TypeError);
    await app.close();
  });

  it('lists every problem at once with name, expectation and what it got, hiding secrets', async () => {
    const err = await createApp(AppModule, {
      logger: false, config: AppConfig,
      env: { PORT: 'eighty', DATABASE_URL: 'not a url', MODE: 'cluster', API_KEY: 'short-secret-value', FEATURE_X: 'maybe' },
    }).then(() => undefined, (e: FleetError) => e);
    expect(err?.code).toBe('FLEET_ERR_CONFIG_INVALID');
    const msg = err!.message;
    expect(msg).toContain('5 problems');
    expect(msg).toMatch(/PORT \(AppConfig\): .*expected number.*; got "eighty"/);
    expect(msg).toMatch(/DATABASE_URL \(AppConfig\): .*; got "not a url"/);
    expect(msg).toMatch(/MODE \(AppConfig\): .*"fleet".*"solo".*; got "cluster"/);
    expect(msg).toMatch(/API_KEY \(AppConfig\): .*; got <secret, not shown>/);
    expect(msg).toMatch(/FEATURE_X \(AppConfig\): .*; got "maybe"/);
    expect(msg).not.toContain('short-secret-value');
  });

  it('reports unset required variables', async () => {
    const err = await createApp(AppModule, { logger: false, config: AppConfig, env: {} }).then(() => undefined, (e: FleetError) => e);
    expect(err?.code).toBe('FLEET_ERR_CONFIG_INVALID');
    expect(err?.message).toContain('DATABASE_URL (AppConfig)');
    expect(err?.message).toContain('got nothing (unset)');
    expect(err?.message).not.toContain('PORT (AppConfig)');
  });

  it('accepts config classes as module providers, and reports config and DI problems together', async () => {
    class DbConfig extends Config(z.object({ DB_POOL: z.coerce.number().int().positive() })) {}
    @Injectable() class Db { constructor(readonly cfg: DbConfig) {} }
    @Module({ providers: [DbConfig, Db], exports: [Db] }) class DbModule {}
    @Module({ imports: [DbModule] }) class Root {}
    const app = await createApp(Root, { logger: false, env: { DB_POOL: '5' } });
    expect(app.get(Db).cfg.DB_POOL).toBe(5);
    await app.close();

    class Missing {}
    @Injectable() class Broken { constructor(readonly m: Missing) {} }
    @Module({ imports: [DbModule], providers: [Broken] }) class Root2 {}
    const err = await createApp(Root2, { logger: false, env: { DB_POOL: '-1' } }).then(() => undefined, (e: FleetError) => e);
    expect(err).toBeInstanceOf(FleetBootError);
    expect((err as FleetBootError).errors.map((e) => e.code)).toEqual(['FLEET_ERR_CONFIG_INVALID', 'FLEET_ERR_DI_MISSING_PROVIDER']);
  });
});
