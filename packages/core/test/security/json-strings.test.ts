import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Body, Controller, Module, Post } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

@Controller()
class EchoController {
  @Post('/echo')
  echo(@Body() body: unknown) { return { body }; }

  @Post('/small', { bodyLimit: 24 })
  small(@Body() body: unknown) { return { body }; }
}

@Module({ controllers: [EchoController] })
class AppModule {}

const post = (t: TestApp, path: string, json: string) => t.request().post(path).set('content-type', 'application/json').send(json);

describe('JSON strings with U+0000 or a lone surrogate', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(AppModule); });
  afterAll(async () => { await t.close(); });

  it('are refused with 400 by default, naming the problem', async () => {
    const nul = await post(t, '/echo', '{"name":"a\\u0000b"}').expect(400);
    expect(nul.body).toEqual({ statusCode: 400, code: 'FLEET_ERR_SECURITY_UNSAFE_JSON_STRING', message: 'A string in the request body contains U+0000, which this API does not accept.' });
    expect((await post(t, '/echo', '{"a":["\\udc00"]}').expect(400)).body.message).toContain('a lone surrogate');
    expect(nul.headers['x-content-type-options']).toBe('nosniff');
  });

  it('leave everything else to the usual JSON parser: pairs and escapes, malformed JSON, prototype poisoning, route body limits', async () => {
    expect((await post(t, '/echo', '{"e":"\\ud83d\\ude00 \\u00e9 \\\\u0000"}').expect(200)).body).toEqual({ body: { e: '😀 é \\u0000' } });
    expect((await post(t, '/echo', '{"a":').expect(400)).body.code).toBe('FLEET_ERR_HTTP_MALFORMED_JSON');
    expect((await post(t, '/echo', '').expect(400)).body.code).toBe('FLEET_ERR_HTTP_MALFORMED_JSON');
    expect((await post(t, '/echo', '{"__proto__":{"polluted":1}}').expect(400)).body.code).toBe('FLEET_ERR_HTTP_MALFORMED_JSON');
    expect((await post(t, '/echo', '{"constructor":{"prototype":{"polluted":1}}}').expect(400)).body.code).toBe('FLEET_ERR_HTTP_MALFORMED_JSON');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await post(t, '/small', JSON.stringify({ d: 'x'.repeat(40) })).expect(413)).body.code).toBe('FLEET_ERR_HTTP_BODY_TOO_LARGE');
    expect((await post(t, '/small', '{"d":"\\u0000"}').expect(400)).body.code).toBe('FLEET_ERR_SECURITY_UNSAFE_JSON_STRING');
  });

  it('pass with strictJsonStrings: false', async () => {
    const loose = await createTestApp(AppModule, { strictJsonStrings: false });
    try {
      expect((await post(loose, '/echo', '{"name":"a\\u0000b"}').expect(200)).body).toEqual({ body: { name: 'a\u0000b' } });
    } finally {
      await loose.close();
    }
  });
});
