import { Global, Module } from '../di/decorators.js';
import type { DynamicModule } from '../di/module-def.js';
import type { Provider } from '../di/provider.js';
import { Database } from './database.js';
import { RequestAwareDatabase } from './request-aware-database.js';
import { DatabaseConfig } from './database-config.js';
import { DATABASE_OPTIONS, resolveDatabaseOptions, type DatabaseOptions, type ResolvedDatabaseOptions } from './database-options.js';

function providers(options: ResolvedDatabaseOptions): Provider[] {
  // RequestAwareDatabase injects RequestContext, which switches the per-request AsyncLocalStorage
  // on (about 4 us per request on Node 20): only when read-your-writes needs it.
  return [
    DatabaseConfig,
    { provide: DATABASE_OPTIONS, useValue: options },
    { provide: Database, useClass: options.readYourWrites ? RequestAwareDatabase : Database },
  ];
}

const defaults = resolveDatabaseOptions();

/**
 * PostgreSQL for the whole app: provides `Database` (and so `Repository` subclasses) and
 * `DatabaseConfig` everywhere. Import `DatabaseModule` for the defaults, or
 * `DatabaseModule.forRoot({ ... })` to choose read-your-writes, the token, boot-time migrations.
 */
@Global()
@Module({ providers: providers(defaults), exports: [Database, DatabaseConfig] })
export class DatabaseModule {
  static forRoot(options: DatabaseOptions = {}): DynamicModule {
    // The module's own (default) providers come first; these replace them token by token.
    return { module: DatabaseModule, global: true, providers: providers(resolveDatabaseOptions(options)) };
  }
}
