import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiDoc, Body, Controller, FleetBootError, Get, Module, Post, createApp, type AppOptions } from '@fleet/core';

const boot = (module: unknown, options: AppOptions = {}) => createApp(module, { logger: false, production: false, shutdown: { signals: false }, ...options });

describe('@ApiDoc problems fail the boot when the document is served, all reported at once', () => {
  @ApiDoc({ summary: 'not here', security: ['jwt'] })
  @Controller('/a')
  class BadController {
    @ApiDoc({ operationId: 'same', errors: [200, 409] })
    @Get('/one')
    one() { return {}; }

    @ApiDoc({ operationId: 'same', security: [{ oauth: ['read'] }] })
    @Get('/two')
    two() { return {}; }
  }
  @Module({ controllers: [BadController] })
  class BadModule {}

  it('lists each problem with its fix', async () => {
    const error = await boot(BadModule, { openapi: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sid' } } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetBootError);
    const problems = (error as FleetBootError).errors;
    expect(problems.map((e) => e.code)).toEqual(Array(5).fill('FLEET_ERR_OPENAPI_INVALID_METADATA'));
    expect(problems.map((e) => e.message)).toEqual([
      '@ApiDoc on the class BadController sets summary, which only a route has. Fix: move it to the route\'s method.',
      "@ApiDoc on BadController names the security scheme 'jwt', which openapi.securitySchemes does not declare (it declares 'session'). " +
        'Fix: declare it in createApp({ openapi: { securitySchemes } }) (and pass the same options to fleet openapi --options), or correct the name.',
      '@ApiDoc on BadController.one: errors lists 200, which is no error status (400-599). Fix: list the error statuses the handler raises.',
      expect.stringContaining("@ApiDoc on BadController.two names the security scheme 'oauth'"),
      "@ApiDoc on BadController.two: the operationId 'same' is already used by another route. Fix: give each route its own operationId.",
    ]);
  });

  it('in production with the document off, nothing is generated at boot: app.openapi() reports the problems when asked', async () => {
    const app = await boot(BadModule, { production: true });
    try {
      await expect(app.openapi()).rejects.toBeInstanceOf(FleetBootError);
    } finally {
      await app.close();
    }
  });
});

describe('component names', () => {
  it('refuses two different schemas registered with the same id', async () => {
    const first = z.object({ a: z.string() }).meta({ id: 'Thing' });
    const second = z.object({ b: z.number() }).meta({ id: 'Thing' });
    @Controller()
    class ThingsController {
      @Get('/first', { response: first }) a() { return { a: 'x' }; }
      @Get('/second', { response: second }) b() { return { b: 1 }; }
    }
    @Module({ controllers: [ThingsController] })
    class ThingsModule {}
    await expect(boot(ThingsModule)).rejects.toMatchObject({
      code: 'FLEET_ERR_OPENAPI_SCHEMA_CONFLICT',
      message: expect.stringContaining("OpenAPI component 'Thing': two different zod schemas are registered with .meta({ id: 'Thing' })"),
    });
  });

  it('names the input form <id>Input when it differs from the output form, and refuses an id that takes that name', async () => {
    const Order = z.object({ qty: z.number().int().default(1) }).meta({ id: 'Order' });
    @Controller()
    class OrdersController {
      @Post('/orders', { response: Order }) create(@Body(Order) body: unknown) { return body; }
    }
    @Module({ controllers: [OrdersController] })
    class OrdersModule {}
    const app = await boot(OrdersModule, { openapi: { serve: false } });
    try {
      const doc = await app.openapi();
      expect(doc.paths['/orders']!.post!.requestBody!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/OrderInput' });
      expect(doc.components.schemas.Order).toMatchObject({ required: ['qty'] });
      expect(doc.components.schemas.OrderInput).not.toHaveProperty('required');
    } finally {
      await app.close();
    }

    const Clash = z.object({ x: z.string() }).meta({ id: 'OrderInput' });
    @Controller()
    class ClashController {
      @Get('/clash', { response: Clash }) clash() { return { x: '' }; }
    }
    @Module({ controllers: [OrdersController, ClashController] })
    class ClashModule {}
    await expect(boot(ClashModule)).rejects.toMatchObject({
      code: 'FLEET_ERR_OPENAPI_SCHEMA_CONFLICT', message: expect.stringContaining("the input form of 'Order' (it differs from its output form) would be named 'OrderInput'"),
    });
  });

  it('keeps ErrorBody for the error body', async () => {
    @Controller()
    class ErrController {
      @Get('/e', { response: z.object({ e: z.string() }).meta({ id: 'ErrorBody' }) }) e() { return { e: '' }; }
    }
    @Module({ controllers: [ErrController] })
    class ErrModule {}
    await expect(boot(ErrModule)).rejects.toMatchObject({ code: 'FLEET_ERR_OPENAPI_SCHEMA_CONFLICT', message: expect.stringContaining("Fleet's error body") });
  });
});
