import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller, Get, Module, Put, createApp, type AppOptions, type FleetError } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

@Controller('/orders')
class OrdersController {
  @Get('/')
  list() { return []; }

  @Put('/:id')
  put() { return { ok: true }; }
}

@Module({ controllers: [OrdersController] })
class AppModule {}

const ALLOWED = 'https://app.example.com';

async function bootError(options: AppOptions): Promise<FleetError> {
  return createApp(AppModule, { logger: false, ...options }).then(async (a) => { await a.close(); throw new Error('booted'); }, (e: FleetError) => e);
}

describe('CORS', () => {
  it('is off unless configured: no CORS headers, and a preflight is not answered', async () => {
    const t = await createTestApp(AppModule);
    try {
      const res = await t.request().get('/orders').set('origin', ALLOWED).expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.request().options('/orders/1').set('origin', ALLOWED).set('access-control-request-method', 'PUT');
      expect(preflight.status).toBe(404);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  describe('with an allowlist and credentials (production)', () => {
    let t: TestApp;
    beforeAll(async () => { t = await createTestApp(AppModule, { production: true, cors: { origins: [ALLOWED, 'http://localhost:5173'], credentials: true } }); });
    afterAll(async () => { await t.close(); });

    it('answers a preflight from an allowed origin', async () => {
      const res = await t.request().options('/orders/1').set('origin', ALLOWED).set('access-control-request-method', 'PUT')
        .set('access-control-request-headers', 'content-type, x-fleet-lsn').expect(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': ALLOWED,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'content-type, x-fleet-lsn',
        'access-control-max-age': '600',
        'x-content-type-options': 'nosniff',
      });
      expect(res.headers.vary).toContain('Origin');
    });

    it('refuses a preflight from another origin with 403 and no CORS headers', async () => {
      const res = await t.request().options('/orders/1').set('origin', 'https://evil.example').set('access-control-request-method', 'PUT').expect(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.body).toMatchObject({ statusCode: 403, code: 'FLEET_ERR_SECURITY_CORS_ORIGIN_REFUSED' });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // A look-alike is another origin (exact match, no suffix or prefix matching).
      await t.request().options('/orders/1').set('origin', 'https://app.example.com.evil.example').set('access-control-request-method', 'PUT').expect(403);
    });

    it('lets the browser read responses of allowed origins only, and exposes the Fleet headers', async () => {
      const ok = await t.request().get('/orders').set('origin', ALLOWED).expect(200);
      expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(ok.headers['access-control-expose-headers']).toContain('x-request-id');
      const other = await t.request().get('/orders').set('origin', 'https://evil.example').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const none = await t.request().get('/orders').expect(200);
      expect(none.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it("allows '*' outside production, without credentials", async () => {
    const t = await createTestApp(AppModule, { production: false, cors: { origins: '*' } });
    try {
      const res = await t.request().options('/orders/1').set('origin', 'https://anything.example').set('access-control-request-method', 'PUT').expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('refuses a wildcard with credentials at boot, in every environment', async () => {
    for (const production of [false, true]) {
      const err = await bootError({ production, cors: { origins: '*', credentials: true } });
      expect(err.code).toBe('FLEET_ERR_SECURITY_CORS_WILDCARD_CREDENTIALS');
      expect(err.message).toContain("origins: ['https://app.example.com'], credentials: true");
    }
  });

  it("refuses '*' or no origins in production", async () => {
    expect((await bootError({ production: true, cors: { origins: '*' } })).code).toBe('FLEET_ERR_SECURITY_CORS_ORIGINS_REQUIRED');
    expect((await bootError({ production: true, cors: { origins: [] } })).code).toBe('FLEET_ERR_SECURITY_CORS_ORIGINS_REQUIRED');
  });

  it('names every origin that is not written as browsers send it', async () => {
    const err = await bootError({ cors: { origins: ['https://app.example.com/', 'app.example.com', 'null', 'ftp://files.example.com', 'https://APP.example.com'] } });
    expect(err.code).toBe('FLEET_ERR_SECURITY_INVALID_OPTIONS');
    expect(err.message).toContain('"https://app.example.com/" is not written as browsers send it: use "https://app.example.com"');
    expect(err.message).toContain('"app.example.com" is not an origin');
    expect(err.message).toContain('"null" is refused');
    expect(err.message).toContain('"ftp://files.example.com" must use http or https');
    expect(err.message).toContain('use "https://app.example.com"');
  });
});
