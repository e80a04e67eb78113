import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { projectImports, projectPath, rootModule } from '../project.js';
import type { Generator } from './types.js';

/**
 * A repository on the PostgreSQL primary and replicas, the migration creating its table, and a
 * test against PostgreSQL. A project without DatabaseModule gets it in its root module.
 */
export const repositoryGenerator: Generator = {
  kind: 'repository',
  summary: 'a Repository (PostgreSQL), the migration of its table, and its test against PostgreSQL',
  suffix: 'repository',
  list: 'providers',
  generate({ project, names, dir, className, file }) {
    const row = `${names.pascal}Row`;
    const table = names.snake;
    const migrations = join(project.root, 'migrations');
    const migration = join(migrations, `${nextVersion(migrations)}_create_${table}.sql`);
    const testFile = join(dir, `${names.kebab}.repository.test.ts`);
    const source = `import { Injectable, Repository, sql } from '@fleet/core';
import { z } from 'zod';

/** A row of the ${table} table (${projectPath(project, migration)}). */
export const ${row} = z.object({ id: z.string(), createdAt: z.date() });
export type ${row} = z.infer<typeof ${row}>;

/** The ${table} table: reads go to a replica (read-your-writes aware), writes to the primary. */
@Injectable()
export class ${className} extends Repository {
  byId(id: string): Promise<${row} | undefined> {
    return this.read.maybeOne(sql\`select id, created_at as "createdAt" from ${table} where id = \${id}\`, ${row});
  }

  insert(): Promise<${row}> {
    return this.write.one(sql\`insert into ${table} default values returning id, created_at as "createdAt"\`, ${row});
  }
}
`;
    const test = `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseModule, Module } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { ${className} } from './${names.kebab}.repository.js';

/**
 * Runs against the PostgreSQL of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres;
 * \`docker compose up -d --wait\` starts one); the migrations are applied at boot.
 */
@Module({
  imports: [DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('${dirUrl(testFile, migrations)}', import.meta.url) } })],
  providers: [${className}],
})
class ${className}TestModule {}

describe('${className} (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(${className}TestModule); });
  afterAll(async () => { await t?.close(); });

  it('inserts a row on the primary and reads it back', async () => {
    const ${names.camel} = t.get(${className});
    const created = await ${names.camel}.insert();
    expect(await ${names.camel}.byId(created.id)).toEqual(created);
  });

  it('answers undefined for an id that is not there', async () => {
    expect(await t.get(${className}).byId('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });
});
`;
    const sqlText = `-- The ${table} table of ${className} (${projectPath(project, file)}).
-- An applied migration must not change: add a new file for the next change.
create table ${table} (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now()
);
`;
    const root = rootModule(project);
    const wire = root !== undefined && !projectImports(project, 'DatabaseModule', '@fleet/core');
    return {
      files: [
        { path: file, content: source, action: 'create' },
        { path: testFile, content: test, action: 'create' },
        { path: migration, content: sqlText, action: 'create' },
      ],
      ...(wire ? {
        moduleEdits: [{
          file: root,
          entries: [{
            list: 'imports',
            name: 'DatabaseModule',
            from: '@fleet/core',
            expression: `DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('${dirUrl(root, migrations)}', import.meta.url) } })`,
          }],
        }],
        notes: [
          `${projectPath(project, root)} now imports DatabaseModule: the app and its tests need PostgreSQL at DATABASE_URL`,
          '(default postgres://postgres@127.0.0.1:5432/postgres; "docker compose up -d --wait" starts one).',
        ],
      } : {}),
    };
  },
};

/** The next migration version: one more than the highest, as wide as the existing ones (at least 4 digits). */
function nextVersion(dir: string): string {
  const versions = existsSync(dir) ? readdirSync(dir).map((f) => /^(\d+)[_-].*\.sql$/.exec(f)?.[1]).filter((v): v is string => v !== undefined) : [];
  if (versions.length === 0) return '0001';
  const highest = versions.reduce((a, b) => (BigInt(a) >= BigInt(b) ? a : b));
  return (BigInt(highest) + 1n).toString().padStart(Math.max(4, highest.length), '0');
}

/** `../../migrations/`: the folder as a URL relative to the file that names it. */
function dirUrl(fromFile: string, dir: string): string {
  const path = posix(relative(dirname(fromFile), dir));
  return `${path.startsWith('.') ? path : `./${path}`}/`;
}

function posix(path: string): string {
  return path.split(sep).join('/');
}
