import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Controller, Get, Injectable, Module, Param, createApp } from '@fleet/core';

@Injectable()
class Greeter { greet(n: number) { return { id: n, name: `user ${n}` }; } }

@Controller('/users')
class UsersController {
  constructor(private readonly greeter: Greeter) {}
  @Get('/:id', { response: z.object({ id: z.number(), name: z.string() }) })
  get(@Param('id', z.number().int().positive()) id: number) { return this.greeter.greet(id); }
}

@Module({ providers: [Greeter], controllers: [UsersController] })
class AppModule {}

describe('smoke', () => {
  it('serves a route', async () => {
    const app = await createApp(AppModule, { logger: false });
    const ok = await app.fastify.inject('/users/42');
    expect(ok.json()).toEqual({ id: 42, name: 'user 42' });
    const bad = await app.fastify.inject('/users/abc');
    expect(bad.statusCode).toBe(400);
    console.log(bad.body);
    await app.close();
  });
});
