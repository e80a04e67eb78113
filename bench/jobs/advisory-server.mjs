/**
 * The server of the slow-request advisory's cost measurement: bench/servers/fleet.ts's routes
 * (GET /hello, GET /users/:id with schemas) over packages/core/dist, with the advisory on
 * (FLEET_SLOW_REQUEST_MS default, 500) or off (FLEET_SLOW_REQUEST_MS=0). The logger is on at level
 * 'warn' (production-like: Fastify tracks each response's end for its request logs, and nothing is
 * written per request); BENCH_ADVISORY_LOGGER=off turns it off, and then the advisory is not
 * installed at all (it would have nowhere to report), so both sides are the same app.
 *
 *   node bench/run.mjs --pairs bench/jobs/advisory-on.mjs:bench/jobs/advisory-off.mjs,bench/jobs/advisory-off.mjs:bench/jobs/advisory-off.mjs --boots 0 --no-docs
 */
import { z } from 'zod';
import { Controller, Get, Injectable, Module, NotFoundError, Param, createApp } from '@fleet/core'; // bench/run.mjs snapshots packages/core/dist into bench/node_modules

export function server(advisory) {
  class UsersService {
    find(id) { return id > 1_000_000 ? undefined : { id, name: `User ${id}`, email: `user${id}@example.com` }; }
  }
  Injectable()(UsersService);
  const UserSchema = z.object({ id: z.number().int(), name: z.string(), email: z.string() });
  class UsersController {
    constructor(users) { this.users = users; }
    get(id) {
      const user = this.users.find(id);
      if (!user) throw new NotFoundError(`user ${id} not found`);
      return user;
    }
  }
  Reflect.defineMetadata('design:paramtypes', [UsersService], UsersController);
  Param('id', z.number().int().positive())(UsersController.prototype, 'get', 0);
  Get('/:id', { response: UserSchema })(UsersController.prototype, 'get', Object.getOwnPropertyDescriptor(UsersController.prototype, 'get'));
  Controller('/users')(UsersController);
  class HelloController { hello() { return { message: 'hello' }; } }
  Get('/hello')(HelloController.prototype, 'hello', Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello'));
  Controller()(HelloController);
  class BenchModule {}
  Module({ providers: [UsersService], controllers: [HelloController, UsersController] })(BenchModule);

  return async function start({ port, host }) {
    const logger = process.env.BENCH_ADVISORY_LOGGER === 'off' ? false : { level: 'warn' };
    const app = await createApp(BenchModule, { logger, env: { FLEET_SLOW_REQUEST_MS: advisory ? '500' : '0' } });
    await app.listen({ port, host });
    return { close: () => app.close(), describe: () => ({ advisory, routes: app.routes }) };
  };
}
