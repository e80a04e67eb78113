import { Controller, Get, Query, RateLimit } from '@fleet/core';
import { z } from 'zod';
import { UsersRepository } from './users.repository.js';

const User = z.object({ id: z.number().int(), name: z.string(), email: z.string() });
const Page = z.object({
  after: z.coerce.number().int().min(0).max(2_147_483_647).default(0).describe('List users with an id above this one'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('At most this many users'),
});
const UserPage = z.object({ users: z.array(User), next: z.number().int().nullable() });

/**
 * `GET /api/users`: the public, paginated user list, limited to 100 calls per minute per client
 * address for the whole fleet (counted in Redis): the 101st within a rolling minute is a 429 with
 * `Retry-After` on any instance.
 */
@Controller('/api/users')
export class ApiUsersController {
  constructor(private readonly users: UsersRepository) {}

  @RateLimit('100/minute', { key: 'ip' })
  @Get('/', { response: UserPage })
  async list(@Query(Page) page: z.infer<typeof Page>) {
    const users = await this.users.list(page.after, page.limit);
    return { users, next: users.length === page.limit ? users[users.length - 1]!.id : null };
  }
}
