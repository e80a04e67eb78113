import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import { Body, Controller, Get, HttpError, JSON_API_POLICY, Module, Param, Post, Res, createApp, type FleetError } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

@Controller('/h')
class PlainController {
  @Get('/plain')
  plain() { return { ok: true }; }

  @Get('/boom')
  boom() { throw new Error('unexpected'); }

  @Get('/teapot')
  teapot() { throw new HttpError(418, 'short and stout'); }

  @Get('/item/:id')
  item(@Param('id', z.number().int()) id: number) { return { id }; }

  @Post('/small', { bodyLimit: 32 })
  small(@Body() body: unknown) { return body; }

  @Get('/cacheable')
  cacheable(@Res() reply: FastifyReply) {
    reply.header('cache-control', 'public, max-age=60').send({ cacheable: true });
  }
}

@Module({ controllers: [PlainController] })
class AppModule {}

/** Fleet's JSON API policy, header by header (docs/security.md lists the same). */
const POLICY = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};
const HTML_ONLY = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection'];

function expectPolicy(headers: Record<string, unknown>): void {
  expect(headers).toMatchObject(POLICY);
  for (const name of [...HTML_ONLY, 'x-powered-by']) expect(headers[name], name).toBeUndefined();
}

/** A raw request (supertest and fetch refuse some of what a hostile client sends). */
function rawGet(url: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

describe('security headers by default', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(AppModule, { production: true }); });
  afterAll(async () => { await t.close(); });

  it('are on a plain route, with no x-powered-by', async () => {
    const res = await t.request().get('/h/plain').expect(200);
    expectPolicy(res.headers);
  });

  it('are on error responses: unexpected 500, HttpError, validation 400, 413', async () => {
    expectPolicy((await t.request().get('/h/boom').expect(500)).headers);
    expectPolicy((await t.request().get('/h/teapot').expect(418)).headers);
    expectPolicy((await t.request().get('/h/item/abc').expect(400)).headers);
    expectPolicy((await t.request().post('/h/small').send({ data: 'x'.repeat(100) }).expect(413)).headers);
  });

  it('are on a 404, and on URLs that do not decode (answered in the common error body, without echoing them)', async () => {
    const missing = await t.request().get('/nowhere').expect(404);
    expectPolicy(missing.headers);
    const bad = await rawGet(t.url, '/h/item/%E0%A4%A');
    expect(bad.status).toBe(400);
    expectPolicy(bad.headers);
    expect(JSON.parse(bad.body)).toEqual({ statusCode: 400, code: 'FLEET_ERR_HTTP_BAD_REQUEST', message: 'The request URL is not valid' });
    const long = await rawGet(t.url, `/h/item/${'9'.repeat(300)}`);
    expect(long.status).toBe(400);
    expectPolicy(long.headers);
    expect(long.body).not.toContain('9999');
  });

  it('let a handler set its own value (cache-control)', async () => {
    const res = await t.request().get('/h/cacheable').expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('are exported as the policy they come from', () => {
    expect(JSON_API_POLICY.xFrameOptions).toEqual({ action: 'deny' });
    expect(Object.isFrozen(JSON_API_POLICY)).toBe(true);
  });
});

describe('security headers, configured', () => {
  it('merge helmet options over the policy key by key, and `false` sends none', async () => {
    const t = await createTestApp(AppModule, {
      securityHeaders: { strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: true }, crossOriginResourcePolicy: false, cacheControl: false },
    });
    try {
      const res = await t.request().get('/h/plain').expect(200);
      expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
      expect(res.headers['cross-origin-resource-policy']).toBeUndefined();
      expect(res.headers['cache-control']).toBeUndefined();
      expect(res.headers['x-frame-options']).toBe('DENY');
    } finally {
      await t.close();
    }
    const off = await createTestApp(AppModule, { securityHeaders: false });
    try {
      const res = await off.request().get('/h/plain').expect(200);
      for (const name of Object.keys(POLICY)) expect(res.headers[name], name).toBeUndefined();
    } finally {
      await off.close();
    }
  });

  it('refuse an invalid policy at boot, naming it', async () => {
    const err = await createApp(AppModule, { logger: false, securityHeaders: { referrerPolicy: { policy: 'nonsense' as never }, cacheControl: 'no-store\r\nx-evil: 1' } })
      .then(async (a) => { await a.close(); throw new Error('booted'); }, (e: FleetError) => e);
    expect(err.code).toBe('FLEET_ERR_SECURITY_INVALID_OPTIONS');
    expect(err.message).toContain('securityHeaders.cacheControl');
  });
});
