import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Controller, Get, Module, Param, createApp, type AppOptions, type FleetApp } from '@fleet/core';

@Controller('/notes')
class NotesController {
  @Get('/:id', { response: z.object({ id: z.string(), text: z.string() }) })
  get(@Param('id') id: string) { return { id, text: 'hello' }; }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

const apps: FleetApp[] = [];
afterEach(async () => { await Promise.all(apps.splice(0).map((a) => a.close())); });

async function boot(options: AppOptions = {}): Promise<FleetApp> {
  const app = await createApp(NotesModule, { logger: false, shutdown: { signals: false }, ...options });
  apps.push(app);
  return app;
}

const get = (app: FleetApp, url: string, headers: Record<string, string> = {}) => app.fastify.inject({ method: 'GET', url, headers });

describe('serving the document and the reference page', () => {
  it('in development: the document at /openapi.json and the reference page at /docs, by default', async () => {
    const app = await boot({ production: false });
    const doc = await get(app, '/openapi.json');
    expect(doc.statusCode).toBe(200);
    expect(doc.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(doc.headers['cache-control']).toBe('no-cache');
    expect(doc.json()).toEqual(await app.openapi());
    expect(doc.json().info).toEqual({ title: 'Notes API', version: '0.0.0' });
    const page = await get(app, '/docs');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<meta name="openapi-url" content="openapi.json">');
    expect(page.body).toContain('<title>Notes API</title>');
    // The routes of the document are not the app's routes.
    expect(app.routes.map((r) => r.url)).toEqual(['/notes/:id']);
  });

  it('answers 304 to a client that has the current document (ETag)', async () => {
    const app = await boot({ production: false });
    const first = await get(app, '/openapi.json');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await get(app, '/openapi.json', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('in production: neither, unless asked; app.openapi() still works', async () => {
    const off = await boot({ production: true });
    expect((await get(off, '/openapi.json')).statusCode).toBe(404);
    expect((await get(off, '/docs')).statusCode).toBe(404);
    expect(Object.keys((await off.openapi()).paths)).toEqual(['/notes/{id}']);

    const documentOnly = await boot({ production: true, openapi: true });
    expect((await get(documentOnly, '/openapi.json')).statusCode).toBe(200);
    expect((await get(documentOnly, '/docs')).statusCode).toBe(404);

    const withPage = await boot({ production: true, openapi: { ui: true } });
    expect((await get(withPage, '/openapi.json')).statusCode).toBe(200);
    expect((await get(withPage, '/docs')).statusCode).toBe(200);
  });

  it('openapi: false serves nothing, even in development', async () => {
    const app = await boot({ production: false, openapi: false });
    expect((await get(app, '/openapi.json')).statusCode).toBe(404);
    expect((await get(app, '/docs')).statusCode).toBe(404);
  });

  it('serves at configured paths; the page finds the document by a relative URL (it works behind a path prefix)', async () => {
    const app = await boot({ production: false, openapi: { path: '/api/openapi.json', ui: '/api/reference', info: { title: 'Notes <3' } } });
    expect((await get(app, '/openapi.json')).statusCode).toBe(404);
    expect((await get(app, '/api/openapi.json')).json().info).toEqual({ title: 'Notes <3', version: '0.0.0' });
    const page = await get(app, '/api/reference');
    expect(page.body).toContain('<meta name="openapi-url" content="openapi.json">');
    expect(page.body).toContain('<title>Notes &#60;3</title>');
    const nested = await boot({ production: false, openapi: { path: '/openapi.json', ui: '/docs/' } });
    expect((await get(nested, '/docs/')).body).toContain('<meta name="openapi-url" content="../openapi.json">');
  });

  it('the page is self-contained: its script and style are allowed by hash, and it loads nothing from elsewhere', async () => {
    const app = await boot({ production: false });
    const page = await get(app, '/docs');
    const csp = String(page.headers['content-security-policy']);
    const script = /<script>([\s\S]*)<\/script>/.exec(page.body)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(page.body)![1]!;
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(page.body).not.toMatch(/(src|href)=["']?https?:/);
    expect(() => new Function(script)).not.toThrow();
  });
});

describe('option errors, at boot', () => {
  it('rejects invalid options with what to fix', async () => {
    await expect(boot({ openapi: { path: 'openapi.json' } })).rejects.toMatchObject({
      code: 'FLEET_ERR_OPENAPI_INVALID_OPTIONS', message: expect.stringContaining('openapi.path: must start with /'),
    });
    await expect(boot({ openapi: { ui: '/openapi.json' } })).rejects.toMatchObject({ code: 'FLEET_ERR_OPENAPI_INVALID_OPTIONS', message: expect.stringContaining('both /openapi.json') });
    await expect(boot({ openapi: { serve: false, ui: true } })).rejects.toMatchObject({ code: 'FLEET_ERR_OPENAPI_INVALID_OPTIONS', message: expect.stringContaining('Fix: remove serve: false') });
    await expect(boot({ openapi: { security: ['jwt'], securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sid' } } } })).rejects.toMatchObject({
      code: 'FLEET_ERR_OPENAPI_INVALID_OPTIONS', message: expect.stringContaining("openapi.security names 'jwt', which openapi.securitySchemes does not declare (it declares 'session')"),
    });
  });

  it('refuses a document path that a route already answers', async () => {
    @Controller()
    class SpecController {
      @Get('/openapi.json')
      spec() { return {}; }
    }
    @Module({ controllers: [SpecController] })
    class SpecModule {}
    await expect(createApp(SpecModule, { logger: false, production: false })).rejects.toMatchObject({
      code: 'FLEET_ERR_OPENAPI_PATH_TAKEN', message: expect.stringContaining('openapi.path is /openapi.json, but a route already answers GET /openapi.json'),
    });
    const moved = await createApp(SpecModule, { logger: false, production: false, openapi: { path: '/api.json' }, shutdown: { signals: false } });
    apps.push(moved);
    expect((await get(moved, '/api.json')).statusCode).toBe(200);
  });
});
