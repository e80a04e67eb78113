/**
 * The Fleet side of the benchmark, written the way users write Fleet apps (decorators, DI,
 * zod schemas). Compiled by `tsc -p bench` into bench/dist/servers/fleet.js; started by
 * bench/servers/harness.mjs, which owns the port, the ready message and the stats channel.
 *
 * Routes (the same as bench/servers/raw-fastify.mjs):
 *   GET /hello      -> { message: 'hello' }                        (no schema)
 *   GET /users/:id  -> { id, name, email }   id: z.number().int().positive(), response schema
 */
import { Controller, Get, Injectable, Module, NotFoundError, Param, createApp } from '@fleet/core';
import { z } from 'zod';

interface User { id: number; name: string; email: string }

@Injectable()
class UsersService {
  find(id: number): User | undefined {
    if (id > 1_000_000) return undefined;
    return { id, name: `User ${id}`, email: `user${id}@example.com` };
  }
}

const UserSchema = z.object({ id: z.number().int(), name: z.string(), email: z.string() });

@Controller('/users')
class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('/:id', { response: UserSchema })
  get(@Param('id', z.number().int().positive()) id: number) {
    const user = this.users.find(id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    return user;
  }
}

@Controller()
class HelloController {
  @Get('/hello')
  hello() {
    return { message: 'hello' };
  }
}

@Module({ providers: [UsersService], controllers: [HelloController, UsersController] })
class BenchModule {}

export async function start({ port, host }: { port: number; host: string }): Promise<{ close(): Promise<unknown>; describe(): unknown }> {
  return startWith({ port, host }, {});
}

/** The same app with other createApp options (bench/servers/fleet-no-headers.ts). */
export async function startWith({ port, host }: { port: number; host: string }, options: { securityHeaders?: false }): Promise<{ close(): Promise<unknown>; describe(): unknown }> {
  const app = await createApp(BenchModule, { logger: false, ...options });
  await app.listen({ port, host });
  return {
    close: () => app.close(),
    describe: () => ({
      requestContextEnabled: app.requestContextEnabled,
      routes: app.routes,
    }),
  };
}
