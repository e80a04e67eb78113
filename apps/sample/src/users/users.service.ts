import { CacheEvict, Cached, Injectable } from '@fleet/core';
import { UsersRepository, type User } from './users.repository.js';

export type { User } from './users.repository.js';

/** The cache entry of one user: the same key for the reader and the writer. */
const userKey = (id: number) => `user:${id}`;

/**
 * The sample's user directory, in PostgreSQL: every instance answers the same. Reads go through
 * the two-level cache (in process, then Redis); a write evicts the user on every instance before
 * it returns, so the next read anywhere goes to the database (which honours the client's
 * read-your-writes token).
 */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  @Cached({ ttl: '30s', key: userKey })
  async find(id: number): Promise<User | undefined> {
    return this.users.byId(id);
  }

  @CacheEvict({ key: userKey })
  async put(id: number, fields: { name: string; email: string }): Promise<User> {
    return this.users.put({ id, ...fields });
  }
}
