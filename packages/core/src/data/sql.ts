import { FleetError } from '../errors.js';
import { statementKind, type StatementKind } from './statement-kind.js';

const kCreate = Symbol('fleet.sql.create');

/** Anything `sql` treats as SQL rather than as a value: a nested query/fragment or an identifier. */
abstract class SqlPiece {}

/**
 * A parameterized statement (or fragment) built by the `sql` tag: `text` has `$1..$n`
 * placeholders and `values` the parameters, sent separately. There is no way to build one
 * from a string: `sql` is the only constructor.
 */
export class SqlQuery extends SqlPiece {
  /** The statement with `$n` placeholders. */
  readonly text: string;
  /** The parameters, in placeholder order. */
  readonly values: readonly unknown[];
  /** Where the router may send it when it is run as a statement. */
  readonly kind: StatementKind;
  /** @internal The text around the values (`values.length + 1` parts), for nesting. */
  readonly parts: readonly string[];

  /** @internal */
  constructor(key: typeof kCreate, parts: readonly string[], values: readonly unknown[], text: string, kind: StatementKind) {
    super();
    if (key !== kCreate) throw new FleetError('FLEET_ERR_DB_NOT_SQL', 'SqlQuery cannot be constructed directly. Fix: write sql`...`.');
    this.parts = parts;
    this.values = values;
    this.text = text;
    this.kind = kind;
  }
}

/** A quoted identifier made by `sql.id()`. */
export class SqlIdentifier extends SqlPiece {
  /** @internal */
  constructor(key: typeof kCreate, readonly quoted: string) {
    super();
    if (key !== kCreate) throw new FleetError('FLEET_ERR_DB_INVALID_IDENTIFIER', 'SqlIdentifier cannot be constructed directly. Fix: use sql.id(name).');
  }
}

interface CompiledSite { text: string; kind: StatementKind }
const sites = new WeakMap<TemplateStringsArray, CompiledSite>();
const kinds = new Map<string, StatementKind>();
const KIND_CACHE_LIMIT = 2000;

export interface SqlTag {
  /**
   * Builds a parameterized statement: every `${value}` becomes a `$n` parameter, sent apart
   * from the text, so no value is ever parsed as SQL. A nested sql`...` is spliced in as SQL
   * (its values renumbered); `sql.id(name)` splices in a quoted identifier.
   *
   * ```ts
   * sql`select id, name from users where email = ${email} and id > ${after}`
   * // => text: 'select id, name from users where email = $1 and id > $2', values: [email, after]
   * ```
   */
  (strings: TemplateStringsArray, ...values: unknown[]): SqlQuery;
  /**
   * A quoted identifier (table, column, schema): `sql.id('users')` -> `"users"`,
   * `sql.id('app', 'users')` -> `"app"."users"`. Quotes inside a name are doubled, so any
   * string is a single, literal name.
   */
  id(...names: string[]): SqlIdentifier;
  /**
   * Joins fragments, identifiers or values with a separator (default `, `): values become
   * parameters. `sql.join(cols.map((c) => sql.id(c)))` -> `"a", "b"`.
   */
  join(items: readonly unknown[], separator?: SqlQuery): SqlQuery;
}

function tag(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery {
  let site = sites.get(strings);
  if (site === undefined) site = compileSite(strings);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof SqlPiece) return compose(strings, values);
    if (v === undefined) throw undefinedValue(strings, i);
  }
  return new SqlQuery(kCreate, strings, values, site.text, site.kind);
}

function compileSite(strings: TemplateStringsArray): CompiledSite {
  if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw) || !Object.isFrozen(strings)) {
    throw new FleetError('FLEET_ERR_DB_NOT_SQL', 'sql must be used as a tagged template (sql`select ...`), not called with a string or an array. Fix: write sql`...` and put values in ${}.');
  }
  const text = number(strings);
  const site = { text, kind: statementKind(text) };
  sites.set(strings, site);
  return site;
}

/** Flattens nested queries and identifiers into one list of parts and values. */
function compose(strings: readonly string[], values: readonly unknown[]): SqlQuery {
  const parts: string[] = [strings[0]!];
  const flat: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof SqlQuery) {
      parts[parts.length - 1] += v.parts[0]!;
      for (let j = 0; j < v.values.length; j++) {
        flat.push(v.values[j]);
        parts.push(v.parts[j + 1]!);
      }
      parts[parts.length - 1] += strings[i + 1]!;
    } else if (v instanceof SqlIdentifier) {
      parts[parts.length - 1] += v.quoted + strings[i + 1]!;
    } else {
      if (v === undefined) throw undefinedValue(strings, i);
      flat.push(v);
      parts.push(strings[i + 1]!);
    }
  }
  const text = number(parts);
  let kind = kinds.get(text);
  if (kind === undefined) {
    if (kinds.size >= KIND_CACHE_LIMIT) kinds.clear();
    kind = statementKind(text);
    kinds.set(text, kind);
  }
  return new SqlQuery(kCreate, parts, flat, text, kind);
}

function number(parts: readonly string[]): string {
  let text = parts[0]!;
  for (let i = 1; i < parts.length; i++) text += `$${i}${parts[i]}`;
  return text;
}

function undefinedValue(strings: readonly string[], index: number): FleetError {
  const near = `${strings[index]!.slice(-40)}\${...}${(strings[index + 1] ?? '').slice(0, 20)}`.replace(/\s+/g, ' ').trim();
  return new FleetError('FLEET_ERR_DB_INVALID_VALUE',
    `Value #${index + 1} of a sql\`...\` template is undefined (near "${near}"). Fix: pass null for SQL NULL; undefined usually means a missing field.`);
}

function id(...names: string[]): SqlIdentifier {
  if (names.length === 0) throw new FleetError('FLEET_ERR_DB_INVALID_IDENTIFIER', 'sql.id() needs at least one name. Fix: sql.id(\'users\') or sql.id(\'schema\', \'table\').');
  const quoted = names.map((name, i) => {
    if (typeof name !== 'string' || name.length === 0 || name.includes('\0')) {
      throw new FleetError('FLEET_ERR_DB_INVALID_IDENTIFIER',
        `sql.id() argument #${i + 1} is ${typeof name === 'string' ? (name.length === 0 ? 'an empty string' : 'a string with a NUL character') : typeof name}. Fix: pass a non-empty name.`);
    }
    return `"${name.replace(/"/g, '""')}"`;
  });
  return new SqlIdentifier(kCreate, quoted.join('.'));
}

const COMMA = Object.freeze(Object.assign([', '], { raw: [', '] })) as unknown as TemplateStringsArray;

function join(items: readonly unknown[], separator?: SqlQuery): SqlQuery {
  const sep = separator ?? tag(COMMA);
  const strings: string[] = [''];
  const values: unknown[] = [];
  items.forEach((item, i) => {
    if (i > 0) { values.push(sep); strings.push(''); }
    values.push(item);
    strings.push('');
  });
  return compose(strings, values);
}

/** The `sql` tag: parameterized statements, `sql.id()` identifiers and `sql.join()` lists. */
export const sql: SqlTag = Object.assign(tag, { id, join });

/** The error for a query that was not built by `sql` (a string is never sent as SQL). */
export function notSql(q: unknown, where: string): FleetError {
  const got = typeof q === 'string' ? `a string ("${q.slice(0, 40)}${q.length > 40 ? '...' : ''}")` : q === null ? 'null' : typeof q;
  return new FleetError('FLEET_ERR_DB_NOT_SQL',
    `${where} was given ${got}, not a sql\`...\` query. Strings are never sent as SQL. Fix: write sql\`select ... where id = \${id}\` (values in \${}), and sql.id(name) for identifiers.`);
}
