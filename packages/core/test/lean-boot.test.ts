import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const app = fileURLToPath(new URL('./fixtures/lean-boot-app.mjs', import.meta.url));
const core = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Boots the fixture app in its own process (decorator metadata and OpenTelemetry globals are process-wide). */
async function boot(env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [app], { env: { ...process.env, CORE: core, ...env } });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const served = { status: 200, body: { message: 'hello at 42', at: 42 } };

/**
 * What core loads at boot (decision 008): its own Reflect.metadata unless reflect-metadata is
 * there, @opentelemetry/api only when an SDK is registered, never Fastify's default validator
 * compiler. Runs on core's tsc output (`npm run build`).
 */
describe('lean start-up', () => {
  it('without reflect-metadata: core installs Reflect.metadata itself and constructor injection works', async () => {
    const r = await boot({});
    expect(r).toMatchObject({ ...served, reflectBeforeCore: 'undefined', reflectMetadataLoaded: false, greeterParamTypes: ['Clock'] });
  });

  it('reflect-metadata imported before core: core installs nothing, injection works', async () => {
    const r = await boot({ REFLECT: 'first' });
    expect(r).toMatchObject({ ...served, reflectBeforeCore: 'function', reflectMetadataLoaded: true, greeterParamTypes: ['Clock'] });
  });

  it('reflect-metadata imported after core and after some classes were decorated: both kinds of metadata are read', async () => {
    const r = await boot({ REFLECT: 'after' });
    expect(r).toMatchObject({ ...served, reflectBeforeCore: 'undefined', reflectMetadataLoaded: true, greeterParamTypes: ['Clock'] });
  });

  it('without an OpenTelemetry SDK, @opentelemetry/api is never loaded, nor @fastify/ajv-compiler', async () => {
    const r = await boot({});
    expect(r).toMatchObject({ otelLoaded: false, ajvCompilerLoaded: false, spans: [] });
  });

  it('an SDK registered after core was imported and before createApp is seen: a server span per request', async () => {
    const r = await boot({ OTEL: 'sdk' });
    expect(r).toMatchObject({ ...served, otelLoaded: true });
    expect(r.spans).toContain('GET /hello');
  });
});
