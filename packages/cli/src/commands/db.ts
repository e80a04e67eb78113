import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseConfig, migrate, migrationStatus } from '@fleet/core';
import { ExitCode, defineCommand, type CliIo } from '../command.js';
import { usageError } from '../errors.js';
import { formatError } from '../report-error.js';

const SUBCOMMANDS = ['migrate', 'status'] as const;

/**
 * Database migrations from the command line, through the same runner the app uses at boot
 * (`migrate()` of @fleet/core: ordered SQL files, a checksum per file, one transaction per file,
 * an advisory lock so concurrent migrators apply each file once). DATABASE_URL comes from the
 * environment, validated as the app validates it.
 */
export const dbCommand = defineCommand({
  name: 'db',
  aliases: [],
  summary: 'Apply pending SQL migrations (db migrate) or list applied and pending ones (db status)',
  args: [{ name: 'migrate | status', description: 'migrate: apply pending migrations; status: list applied and pending migrations' }],
  flags: {
    dir: { type: 'string', valueName: 'dir', default: 'migrations', description: 'Directory of <version>_<name>.sql files, relative to the current directory' },
    json: { type: 'boolean', description: 'Print the result as JSON' },
  },
  async run({ values, positionals }, io) {
    const sub = positionals[0];
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
      throw usageError(sub ? `db: unknown subcommand "${sub}".` : 'db: missing subcommand.', 'Use "fleet db migrate" or "fleet db status".');
    }
    const dir = resolve(io.cwd, values.dir);
    if (!existsSync(dir)) throw usageError(`--dir: no directory at ${values.dir} (${dir}).`, 'Run it from the app\'s folder, or pass --dir <dir> with the migration files.');
    const parsed = DatabaseConfig.schema.safeParse(process.env);
    if (!parsed.success) {
      io.stderr.write(`fleet db ${sub}: [FLEET_ERR_CONFIG_INVALID] ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
      return ExitCode.Failure;
    }
    const url = parsed.data.DATABASE_URL;
    try {
      return sub === 'migrate' ? await runMigrate(url, dir, values.json === true, io) : await runStatus(url, dir, values.json === true, io);
    } catch (error) {
      io.stderr.write(formatError(`fleet db ${sub}`, error));
      return ExitCode.Failure;
    }
  },
});

async function runMigrate(url: string, dir: string, json: boolean, io: CliIo): Promise<ExitCode> {
  const result = await migrate({ url, dir, ...(json ? {} : { log: (line: string) => io.stdout.write(`${line}\n`) }) });
  if (json) io.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else io.stdout.write(`${result.applied.length} applied, ${result.alreadyApplied} already applied.\n`);
  return ExitCode.Ok;
}

async function runStatus(url: string, dir: string, json: boolean, io: CliIo): Promise<ExitCode> {
  const status = await migrationStatus({ url, dir });
  const broken = status.applied.filter((m) => m.changed || m.missing);
  if (json) {
    io.stdout.write(JSON.stringify(status, null, 2) + '\n');
  } else {
    for (const m of status.applied) {
      const flag = m.changed ? '  CHANGED since applied' : m.missing ? '  MISSING file' : '';
      io.stdout.write(`applied  ${m.version}  ${m.name}  ${m.appliedAt.toISOString()}${flag}\n`);
    }
    for (const m of status.pending) io.stdout.write(`pending  ${m.version}  ${m.name}\n`);
    io.stdout.write(`${status.applied.length} applied, ${status.pending.length} pending${broken.length ? `, ${broken.length} changed or missing` : ''}.\n`);
  }
  return broken.length > 0 ? ExitCode.Failure : ExitCode.Ok;
}
