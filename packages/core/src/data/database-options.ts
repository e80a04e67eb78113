import { FleetError } from '../errors.js';
import { InjectionToken } from '../di/tokens.js';

/** Options of `DatabaseModule.forRoot()` (code-level choices; connection settings come from `DatabaseConfig`). */
export interface DatabaseOptions {
  /**
   * Read-your-writes: after a write, later reads of the same request (or `withConsistency`
   * scope) go only to a replica that has replayed the primary's WAL up to that write, else to
   * the primary; the position also travels to the client as a token (header and cookie) so a
   * read through another instance sees it too. Turning it on injects `RequestContext`, which
   * enters an AsyncLocalStorage per request (about 4 us per request on Node 20).
   * `false`: reads always go to replicas (stale reads of a fresh write are possible), except
   * inside explicit `db.withConsistency()` scopes.
   * @default true
   */
  readYourWrites?: boolean;
  /** How the read-your-writes token crosses requests and instances. */
  token?: {
    /** Response header carrying the token after a write, and request header read back. @default 'x-fleet-lsn' */
    header?: string;
    /** Cookie carrying the same token for browsers; `false` for none. @default 'fleet_lsn' */
    cookie?: string | false;
    /**
     * Cookie lifetime in seconds. After this, any replica within the lag limit has replayed the
     * write anyway. @default 60
     */
    cookieMaxAgeSeconds?: number;
  };
  /**
   * Apply the SQL migrations of this directory at boot, before the app serves (under the
   * advisory lock, so instances starting together apply each migration once). Leave unset to
   * run `fleet db migrate` as a separate release step instead.
   */
  migrateOnBoot?: { dir: string | URL; table?: string };
}

/** The options with defaults applied, frozen once at module definition. */
export interface ResolvedDatabaseOptions {
  readonly readYourWrites: boolean;
  readonly tokenHeader: string;
  readonly tokenCookie: string | false;
  readonly cookieMaxAgeSeconds: number;
  readonly migrateOnBoot?: { readonly dir: string | URL; readonly table?: string };
}

export const DATABASE_OPTIONS = new InjectionToken<ResolvedDatabaseOptions>('DatabaseOptions');

const TOKEN_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function resolveDatabaseOptions(options: DatabaseOptions = {}): ResolvedDatabaseOptions {
  const header = (options.token?.header ?? 'x-fleet-lsn').toLowerCase();
  const cookie = options.token?.cookie === undefined ? 'fleet_lsn' : options.token.cookie;
  const maxAge = options.token?.cookieMaxAgeSeconds ?? 60;
  if (!TOKEN_NAME.test(header)) throw invalid(`token.header "${header}" is not a valid header name (letters, digits, - and _)`);
  if (cookie !== false && !TOKEN_NAME.test(cookie)) throw invalid(`token.cookie "${cookie}" is not a valid cookie name (letters, digits, - and _)`);
  if (!Number.isInteger(maxAge) || maxAge <= 0) throw invalid(`token.cookieMaxAgeSeconds must be a positive integer, got ${maxAge}`);
  return Object.freeze({
    readYourWrites: options.readYourWrites ?? true,
    tokenHeader: header,
    tokenCookie: cookie,
    cookieMaxAgeSeconds: maxAge,
    ...(options.migrateOnBoot ? { migrateOnBoot: Object.freeze({ ...options.migrateOnBoot }) } : {}),
  });
}

function invalid(problem: string): FleetError {
  return new FleetError('FLEET_ERR_DB_INVALID_OPTIONS', `DatabaseModule.forRoot(): ${problem}.`);
}
