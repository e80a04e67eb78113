import { Injectable } from '@fleet/core';
import { UsersRepository, type User } from './users.repository.js';

export type { User } from './users.repository.js';

/** The sample's user directory, in PostgreSQL: every instance answers the same. */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  find(id: number): Promise<User | undefined> {
    return this.users.byId(id);
  }

  put(id: number, fields: { name: string; email: string }): Promise<User> {
    return this.users.put({ id, ...fields });
  }
}
