import { Injectable } from '../di/decorators.js';
import { Database } from './database.js';
import type { Queryable } from './queryable.js';
import type { Transaction, TransactionOptions } from './transaction.js';

/**
 * Base class of repositories: `this.read` (replica-routed, read-your-writes aware), `this.write`
 * (primary), `this.transaction(fn)`, and the `primary()` / `replica()` overrides.
 *
 * ```ts
 * @Injectable()
 * export class UsersRepository extends Repository {
 *   byId(id: number) { return this.read.maybeOne(sql`select id, name from users where id = ${id}`, UserRow); }
 * }
 * ```
 * A subclass needs no constructor; one that declares its own passes `Database` to `super`.
 */
@Injectable()
export abstract class Repository {
  constructor(protected readonly db: Database) {}

  /** Replica-routed reads (the primary after this request's or job's writes until a replica has replayed them). */
  protected get read(): Queryable { return this.db.read; }

  /** The primary; the write's position is remembered for later reads. */
  protected get write(): Queryable { return this.db.write; }

  /** A transaction on the primary (a savepoint when one is already open in this call chain). */
  protected transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.db.transaction(fn, options);
  }

  /** Reads on the primary. */
  protected primary(): Queryable { return this.db.primary(); }

  /** Reads on a replica even right after a write. */
  protected replica(): Queryable { return this.db.replica(); }
}
