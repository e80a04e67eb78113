import { Injectable, Repository, sql } from '@fleet/core';
import { z } from 'zod';

export const UserRow = z.object({ id: z.number().int(), name: z.string(), email: z.string() });
export type User = z.infer<typeof UserRow>;

/** The users table: reads from a replica (read-your-writes aware), writes on the primary. */
@Injectable()
export class UsersRepository extends Repository {
  byId(id: number): Promise<User | undefined> {
    return this.read.maybeOne(sql`select id, name, email from users where id = ${id}`, UserRow);
  }

  /** A page of users in id order, after the cursor. */
  list(after: number, limit: number): Promise<User[]> {
    return this.read.query(sql`select id, name, email from users where id > ${after} order by id limit ${limit}`, UserRow);
  }

  /** Creates the user, or replaces its name and email. */
  put(user: User): Promise<User> {
    return this.write.one(sql`
      insert into users (id, name, email) values (${user.id}, ${user.name}, ${user.email})
      on conflict (id) do update set name = excluded.name, email = excluded.email, updated_at = now()
      returning id, name, email`, UserRow);
  }
}
