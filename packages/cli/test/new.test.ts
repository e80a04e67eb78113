import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode, run } from '../src/index.js';
import { DEPENDENCY_VERSIONS } from '../src/scaffold/new-project/package-json.js';
import { captureIo } from './capture-io.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Inside the repository, so the new projects' files resolve zod, vitest and @types/node from its node_modules.
const scratch = fileURLToPath(new URL(`./.new-tmp/${process.pid}-${Date.now().toString(36)}/`, import.meta.url));
mkdirSync(scratch, { recursive: true });

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  const parent = join(scratch, '..');
  if (existsSync(parent) && readdirSync(parent).length === 0) rmSync(parent, { recursive: true, force: true });
});

async function fleet(...argv: string[]) {
  const io = captureIo(scratch);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/')).sort();
}

const BASE_FILES = [
  '.env.example', '.gitignore', '.npmrc', 'README.md', 'compose.yaml', 'docker/postgres-primary-init.sh', 'docker/postgres-replica.sh',
  'package.json', 'scripts/dev.mjs', 'src/app.module.ts', 'src/config.ts', 'src/hello/hello.controller.ts', 'src/hello/hello.module.ts',
  'src/hello/hello.service.test.ts', 'src/hello/hello.service.ts', 'src/main.ts', 'test/hello.test.ts', 'tsconfig.build.json',
  'tsconfig.json', 'vitest.config.ts',
];

describe('fleet new <name>, without prompts (not a terminal, or --yes)', () => {
  it('writes the project: scripts, @fleet/* linked to the checkout as one copy, and the next steps', async () => {
    const result = await fleet('new', 'orders-api', '--skip-install', '--link', root);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    const dir = join(scratch, 'orders-api');
    expect(tree(dir)).toEqual(BASE_FILES);
    expect(result.out).toBe([
      `Created orders-api in orders-api: ${BASE_FILES.length} files. (npm; features: none; @fleet/* linked to ${root.replace(/\/$/, '')})`,
      '',
      'Next:',
      '  cd orders-api',
      '  npm install',
      '  npm run dev                         # http://127.0.0.1:3000/hello, restarted on every change',
      '  npm test                            # type-check, then the unit and HTTP tests',
      '  npx fleet generate service orders   # a service and its test, registered in the nearest module',
      '',
    ].join('\n'));

    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.scripts).toEqual({ dev: 'node scripts/dev.mjs', build: 'tsc -p tsconfig.build.json', start: 'node dist/main.js', test: 'tsc -p tsconfig.json && vitest run' });
    expect(pkg.dependencies).toEqual({ '@fleet/core': `file:${join(root, 'packages/core')}`, zod: DEPENDENCY_VERSIONS.zod });
    expect(pkg.devDependencies['@fleet/testing']).toBe(`file:${join(root, 'packages/testing')}`);
    expect(pkg.devDependencies['@fleet/cli']).toBe(`file:${join(root, 'packages/cli')}`);
    expect(pkg.overrides).toEqual({ '@fleet/core': '$@fleet/core' });
    expect(readFileSync(join(dir, '.npmrc'), 'utf8')).toContain('install-links=true');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('npm run dev     # http://127.0.0.1:3000/hello');
  });

  it('uses the same third-party versions as the Fleet packages', () => {
    const range = (file: string, name: string) => {
      const pkg = JSON.parse(readFileSync(join(root, file), 'utf8'));
      return pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
    };
    expect(DEPENDENCY_VERSIONS.zod).toBe(range('packages/core/package.json', 'zod'));
    for (const name of ['typescript', 'vitest', 'vite', '@types/node'] as const) expect(DEPENDENCY_VERSIONS[name], name).toBe(range('package.json', name));
  });

  it('--features database,redis: DatabaseModule with migrations, a sample repository, RedisModule and a rate limit', async () => {
    const result = await fleet('new', '@acme/shop', '--yes', '--skip-install', '--features', 'redis,database', '--package-manager', 'pnpm', '--directory', 'shop-dir');
    expect(result.code).toBe(ExitCode.Ok);
    const dir = join(scratch, 'shop-dir');
    expect(tree(dir)).toEqual([...BASE_FILES.filter((f) => f !== '.npmrc'), 'migrations/0001_create_notes.sql',
      'src/notes/notes.repository.test.ts', 'src/notes/notes.repository.ts'].sort());
    const appModule = readFileSync(join(dir, 'src/app.module.ts'), 'utf8');
    expect(appModule).toContain("import { DatabaseModule, Module, RedisModule } from '@fleet/core';");
    expect(appModule).toContain("imports: [DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('../migrations/', import.meta.url) } }), RedisModule, HelloModule],");
    expect(appModule).toContain('providers: [NotesRepository],');
    expect(readFileSync(join(dir, 'src/hello/hello.controller.ts'), 'utf8')).toContain("@RateLimit('100/minute', { key: 'ip' })");
    const env = readFileSync(join(dir, '.env.example'), 'utf8');
    expect(env).toContain('DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres');
    expect(env).toContain('FLEET_APP=shop');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@acme/shop');
    expect(pkg.pnpm).toEqual({ overrides: { '@fleet/core': `file:${join(root, 'packages/core')}` } });
    expect(result.out).toContain('\n  pnpm install\n  docker compose up -d --wait               # PostgreSQL and Redis\n');
    expect(result.out).toContain('\n  pnpm dev                                  # http://127.0.0.1:3000/hello');
  });

  it('--registry depends on the published packages', async () => {
    expect((await fleet('new', 'published', '--yes', '--skip-install', '--registry')).code).toBe(ExitCode.Ok);
    const pkg = JSON.parse(readFileSync(join(scratch, 'published/package.json'), 'utf8'));
    expect(pkg.dependencies['@fleet/core']).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(pkg.overrides).toBeUndefined();
    expect(existsSync(join(scratch, 'published/.npmrc'))).toBe(false);
  });

  it('--dry-run lists the files and writes nothing', async () => {
    const result = await fleet('new', 'dry', '--dry-run', '--features', 'database');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toContain('CREATE dry/src/main.ts (');
    expect(result.out).toContain('CREATE dry/migrations/0001_create_notes.sql (');
    expect(result.out).toMatch(/Dry run: nothing was written\. \(npm; features: database; @fleet\/\* linked to .*\)\n$/);
    expect(existsSync(join(scratch, 'dry'))).toBe(false);
  });

  it('refuses a folder that is not empty, and writes nothing into it', async () => {
    mkdirSync(join(scratch, 'taken'));
    writeFileSync(join(scratch, 'taken/notes.txt'), 'mine');
    const result = await fleet('new', 'taken', '--yes', '--skip-install');
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.err).toBe('fleet new: [FLEET_ERR_CLI_FILE_EXISTS] taken is not empty (notes.txt); nothing was written.\n' +
      'Fix: choose another name or --directory, or remove the folder first (fleet new never writes into a non-empty folder).\n');
    expect(readdirSync(join(scratch, 'taken'))).toEqual(['notes.txt']);
  });

  it('reports a failed install with exit 1, the end of its output and the command to retry; the files stay', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(scratch, 'no-such-bin'); // the package manager cannot be found
    try {
      const result = await fleet('new', 'no-install', '--yes');
      expect(result.code).toBe(ExitCode.Failure);
      expect(result.out).toContain('Installing dependencies: npm install --prefer-offline --no-audit --no-fund ...\n');
      expect(result.err).toContain('npm could not be started: spawn npm ENOENT');
      expect(result.err).toMatch(/fleet new: \[FLEET_ERR_CLI_INSTALL_FAILED\] npm install --prefer-offline --no-audit --no-fund failed in no-install after \d+\.\d s/);
      expect(result.err).toContain('Fix what the output names, then run: cd no-install && npm install');
    } finally {
      process.env.PATH = path;
    }
    expect(existsSync(join(scratch, 'no-install/package.json'))).toBe(true);
  });

  it('refuses a --link that is not a built checkout', async () => {
    const result = await fleet('new', 'unlinked', '--yes', '--skip-install', '--link', scratch);
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.err).toMatch(/^fleet new: \[FLEET_ERR_CLI_LINK_INVALID\] --link .* is not a built Fleet checkout: .*packages\/core is not @fleet\/core/);
    expect(existsSync(join(scratch, 'unlinked'))).toBe(false);
  });

  /** A checkout with every package built and a core bundle stamped with an earlier tsc build. */
  function staleCheckout(name: string, bundleScript: string | undefined): string {
    const fake = join(scratch, name);
    for (const [pkg, pkgName] of [['core', '@fleet/core'], ['testing', '@fleet/testing'], ['cli', '@fleet/cli']]) {
      mkdirSync(join(fake, 'packages', pkg!, 'dist', 'bundle'), { recursive: true });
      writeFileSync(join(fake, 'packages', pkg!, 'package.json'), JSON.stringify({ name: pkgName }));
      writeFileSync(join(fake, 'packages', pkg!, 'dist', 'index.js'), 'export {};\n');
    }
    writeFileSync(join(fake, 'packages/core/tsconfig.tsbuildinfo'), '{"version":"5"}');
    writeFileSync(join(fake, 'packages/core/dist/bundle/build.json'), JSON.stringify({ tscBuild: 'a digest of an earlier build' }));
    if (bundleScript !== undefined) {
      mkdirSync(join(fake, 'scripts'));
      writeFileSync(join(fake, 'scripts/bundle-core.mjs'), bundleScript);
    }
    return fake;
  }

  it('a --link whose core bundle is older than its tsc build gets the bundle rebuilt first (npm\'s packing would not)', async () => {
    const fake = staleCheckout('stale-checkout', `import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
const info = readFileSync('packages/core/tsconfig.tsbuildinfo');
writeFileSync('packages/core/dist/bundle/build.json', JSON.stringify({ tscBuild: createHash('sha256').update(info).digest('hex'), by: 'the checkout script' }));
`);
    const result = await fleet('new', 'restamped', '--yes', '--skip-install', '--link', fake);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    expect(JSON.parse(readFileSync(join(fake, 'packages/core/dist/bundle/build.json'), 'utf8'))).toMatchObject({ by: 'the checkout script' });
  });

  it('refuses a --link whose stale core bundle cannot be rebuilt, saying why and what to run', async () => {
    const fake = staleCheckout('broken-checkout', 'process.stderr.write("rolldown is not installed\\n"); process.exitCode = 1;\n');
    const result = await fleet('new', 'stale', '--yes', '--skip-install', '--link', fake);
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.err).toMatch(/^fleet new: \[FLEET_ERR_CLI_LINK_INVALID\] --link .* is not a built Fleet checkout: the @fleet\/core bundle .* was not made from its current tsc build and could not be rebuilt \(rolldown is not installed\)/);
    expect(result.err).toContain('npm run build -w @fleet/core');
    expect(existsSync(join(scratch, 'stale'))).toBe(false);
  });

  const usage: Array<[string[], string]> = [
    [['new'], 'fleet new: new: missing the project name.\nUsage: fleet new <name> [flags], e.g. fleet new orders-api --yes.\n'],
    [['new', 'Orders API'], 'fleet new: new: the name "Orders API" must be lower case'],
    [['new', 'x', '--package-manager', 'pnmp'], 'fleet new: --package-manager: unknown package manager "pnmp". Did you mean "pnpm"?\nUse one of npm, pnpm, yarn.\n'],
    [['new', 'x', '--features', 'redis,databse'], 'fleet new: --features: unknown feature "databse". Did you mean "database"?'],
    [['new', 'x', '--link', '.', '--registry'], 'fleet new: --link and --registry exclude each other.'],
    [['new', 'x', '--skip-instal'], 'fleet new: unknown flag --skip-instal. Did you mean --skip-install?'],
  ];
  it.each(usage)('exits 2 on fleet %j', async (argv, message) => {
    const result = await fleet(...argv);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.out).toBe('');
    expect(result.err.startsWith(message)).toBe(true);
  });

  it('describes every flag in fleet new --help', async () => {
    const help = await fleet('new', '--help');
    expect(help.out).toMatch(/^Usage: fleet new \[name\] \[flags\]$/m);
    for (const flag of ['--directory <dir>', '-p, --package-manager <npm|pnpm|yarn>', '--features <list>', '--skip-install', '--link <path>', '--registry', '-y, --yes', '-d, --dry-run']) {
      expect(help.out).toContain(flag);
    }
  });
});

describe('a new project type-checks as written', () => {
  it('with no features, and with every feature', async () => {
    expect((await fleet('new', 'tc-plain', '--yes', '--skip-install')).code).toBe(ExitCode.Ok);
    expect((await fleet('new', 'tc-full', '--yes', '--skip-install', '--features', 'database,redis')).code).toBe(ExitCode.Ok);
    expect(typeErrors([join(scratch, 'tc-plain'), join(scratch, 'tc-full')])).toEqual([]);
  }, 60_000);
});

/**
 * Diagnostics of the projects' own files with their tsconfig.json (the same options for each, so
 * one program checks them all), @fleet/* mapped to the packages' sources.
 */
function typeErrors(dirs: string[]): string[] {
  const configs = dirs.map((dir) => ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {
    paths: { '@fleet/core': [join(root, 'packages/core/src/index.ts')], '@fleet/testing': [join(root, 'packages/testing/src/index.ts')] },
  }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, ' ')); } })!);
  const program = ts.createProgram(configs.flatMap((c) => c.fileNames), configs[0]!.options);
  return [...configs.flatMap((c) => c.errors), ...ts.getPreEmitDiagnostics(program)]
    .filter((d) => d.file === undefined || dirs.some((dir) => d.file!.fileName.startsWith(dir)))
    .map((d) => `${d.file ? relative(scratch, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
