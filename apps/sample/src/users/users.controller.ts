import { Body, Controller, Get, NotFoundError, Param, Put } from '@fleet/core';
import { z } from 'zod';
import { UsersService } from './users.service.js';

const User = z.object({ id: z.number().int(), name: z.string(), email: z.string() });
const UserId = z.number().int().positive().max(2_147_483_647);
const UserFields = z.object({ name: z.string().trim().min(1).max(200), email: z.email().max(254) });

/**
 * `GET` reads through the cache (`UsersService.find` is `@Cached`: L1 in process, L2 in Redis).
 * `PUT` writes on the primary, evicts the user on every instance before it answers, and answers
 * with the read-your-writes token (`x-fleet-lsn` header and `fleet_lsn` cookie); a `GET` that
 * carries it, through any instance, sees the write.
 */
@Controller('/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('/:id', { response: User })
  async get(@Param('id', UserId) id: number) {
    const user = await this.users.find(id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    return user;
  }

  @Put('/:id', { response: User })
  put(@Param('id', UserId) id: number, @Body(UserFields) body: z.infer<typeof UserFields>) {
    return this.users.put(id, body);
  }
}
