import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetError } from '../errors.js';

/** One SQL migration file: `<version>_<name>.sql`, e.g. `0001_create_users.sql`. */
export interface MigrationFile {
  /** The number before the first `_` or `-`, as digits (compared numerically). */
  version: string;
  /** The rest of the file name, without `.sql`. */
  name: string;
  /** The file name. */
  file: string;
  sql: string;
  /** sha256 of the content (line endings normalised): an applied file must not change. */
  checksum: string;
  /** False when the file starts with `-- fleet:no-transaction` (e.g. CREATE INDEX CONCURRENTLY). */
  transactional: boolean;
}

const NAME = /^(\d{1,18})[_-]([\w.-]+)\.sql$/;
const NO_TRANSACTION = /^\s*--\s*fleet:no-transaction\b/;

/** Reads `dir`'s `*.sql` files in version order; a bad or duplicate name fails with every problem listed. */
export async function readMigrationFiles(dir: string | URL): Promise<MigrationFile[]> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  let names: string[];
  try {
    names = (await readdir(path)).filter((n) => n.endsWith('.sql'));
  } catch (cause) {
    throw new FleetError('FLEET_ERR_DB_MIGRATION_INVALID', `Cannot read the migrations directory ${path}: ${(cause as Error).message}. Fix: create it, or pass the right dir.`, { cause });
  }
  const problems: string[] = [];
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const file of names) {
    const m = NAME.exec(file);
    if (!m) { problems.push(`${file}: the name must be <version>_<name>.sql, e.g. 0002_add_orders.sql`); continue; }
    const version = BigInt(m[1]!).toString();
    const other = seen.get(version);
    if (other) { problems.push(`${file}: version ${version} is also used by ${other}`); continue; }
    seen.set(version, file);
    const sql = (await readFile(join(path, file), 'utf8')).replace(/\r\n/g, '\n');
    files.push({ version, name: m[2]!, file, sql, checksum: createHash('sha256').update(sql).digest('hex'), transactional: !NO_TRANSACTION.test(sql) });
  }
  if (problems.length > 0) {
    throw new FleetError('FLEET_ERR_DB_MIGRATION_INVALID', `Invalid migration files in ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix: rename the files; versions are unique numbers (0001, 0002... or timestamps).`);
  }
  return files.sort((a, b) => (BigInt(a.version) < BigInt(b.version) ? -1 : 1));
}

/** The 1-based line of a character offset (PostgreSQL reports error positions as offsets). */
export function lineAt(sql: string, position: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(position - 1, sql.length); i++) if (sql[i] === '\n') line++;
  return line;
}
