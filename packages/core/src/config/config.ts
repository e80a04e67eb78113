import { z } from 'zod';
import { FleetError } from '../errors.js';

const SCHEMA = Symbol.for('fleet.config.schema');

/** A class made by `Config(schema)`: injectable by type, its instance is the parsed, frozen config. */
export interface ConfigClass<T = unknown> {
  new (): T;
  readonly [SCHEMA]: z.ZodObject;
}

/**
 * Declares a typed configuration read from environment variables:
 *
 * ```ts
 * export class AppConfig extends Config(z.object({ PORT: z.coerce.number().default(3000) })) {}
 * constructor(private readonly config: AppConfig) {} // config.PORT is a number
 * ```
 * It is validated once at boot (every problem listed at once), then frozen.
 */
export function Config<S extends z.ZodObject>(schema: S): ConfigClass<Readonly<z.output<S>>> & { readonly schema: S } {
  abstract class FleetConfig {
    static readonly [SCHEMA] = schema;
    static readonly schema = schema;
  }
  return FleetConfig as unknown as ConfigClass<Readonly<z.output<S>>> & { readonly schema: S };
}

/**
 * `Config(schema)` for the config classes of core's optional modules (data, cache, jobs, sessions,
 * redis): the schema is built on first use (when an app's module is loaded, or `.schema` is read),
 * not when `@fleet/core` is imported, so an app that does not use a module does not pay for
 * building its schema (decision 008).
 * @internal
 */
export function LazyConfig<S extends z.ZodObject>(build: () => S): ConfigClass<Readonly<z.output<S>>> & { readonly schema: S } {
  let schema: S | undefined;
  abstract class FleetConfig {
    static get [SCHEMA](): S { return schema ??= build(); }
    static get schema(): S { return schema ??= build(); }
  }
  return FleetConfig as unknown as ConfigClass<Readonly<z.output<S>>> & { readonly schema: S };
}

/**
 * Marks a config field as secret: its value is never printed in config errors, and the field is
 * not enumerable on the config object, so `JSON.stringify(config)`, spreading and loggers skip it
 * (reading `config.FIELD` works as usual). Works through `.optional()` and `.default()`.
 */
export function secret<S extends z.ZodType>(schema: S): S {
  return schema.meta({ secret: true }) as S;
}

export function isConfigClass(x: unknown): x is ConfigClass {
  return typeof x === 'function' && (x as unknown as Record<symbol, unknown>)[SCHEMA] instanceof z.ZodObject;
}

/**
 * Parses every config class against `env` and reports all problems of all classes in one error.
 * Returns frozen instances (prototype = the class, so `instanceof AppConfig` holds).
 */
export function loadConfigs(classes: ConfigClass[], env: Record<string, string | undefined>): Map<ConfigClass, object> {
  const out = new Map<ConfigClass, object>();
  const problems: string[] = [];
  for (const cls of classes) {
    const schema = cls[SCHEMA];
    const result = schema.safeParse(env);
    if (result.success) {
      out.set(cls, freezeConfig(cls, schema, result.data as Record<string, unknown>));
      continue;
    }
    for (const issue of result.error.issues) {
      const name = issue.path.map(String).join('.') || '(root)';
      const isSecret = isSecretField(schema.shape[String(issue.path[0])] as z.ZodType | undefined);
      const raw = env[String(issue.path[0])];
      const got = raw === undefined ? 'nothing (unset)' : isSecret ? '<secret, not shown>' : JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
      problems.push(`  - ${name} (${cls.name}): ${issue.message}; got ${got}`);
    }
  }
  if (problems.length > 0) {
    throw new FleetError('FLEET_ERR_CONFIG_INVALID',
      `Invalid configuration: ${problems.length} problem${problems.length > 1 ? 's' : ''} in the environment variables:\n${problems.join('\n')}\n` +
      `Fix: set or correct these variables (see .env.example); the process exits before listening.`);
  }
  return out;
}

/** Whether a field (or the schema it wraps, through optional/default/nullable...) is marked secret. */
export function isSecretField(field: z.ZodType | undefined): boolean {
  for (let s: unknown = field, i = 0; s && i < 10; i++) {
    if ((z.globalRegistry.get(s as z.ZodType) as { secret?: boolean } | undefined)?.secret === true) return true;
    s = (s as { _zod: { def: { innerType?: unknown; in?: unknown } } })._zod.def.innerType ?? (s as { _zod: { def: { in?: unknown } } })._zod.def.in;
  }
  return false;
}

function freezeConfig(cls: ConfigClass, schema: z.ZodObject, data: Record<string, unknown>): object {
  const instance = Object.create(cls.prototype) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    Object.defineProperty(instance, key, { value, enumerable: !isSecretField(schema.shape[key] as z.ZodType | undefined), writable: false, configurable: false });
  }
  return Object.freeze(instance);
}
