import { Injectable } from '@fleet/core';

export interface User { id: number; name: string; email: string }

/**
 * The sample's user directory. Until the PostgreSQL repositories land (issue 4), users are
 * derived from their id, so the service holds no state and every instance answers the same.
 */
@Injectable()
export class UsersService {
  find(id: number): User | undefined {
    if (id > 1_000_000) return undefined;
    return { id, name: `User ${id}`, email: `user${id}@example.com` };
  }
}
