import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/generate/project/', import.meta.url));
// Inside the repository, so the generated files resolve zod, vitest and @types/node from its node_modules.
const scratch = fileURLToPath(new URL(`./.generate-tmp/${process.pid}-${Date.now().toString(36)}/`, import.meta.url));
let copies = 0;

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  const parent = join(scratch, '..');
  if (existsSync(parent) && readdirSync(parent).length === 0) rmSync(parent, { recursive: true, force: true });
});

/** A fresh copy of the fixture project: src/app.module.ts with entries, src/empty/empty.module.ts with none. */
function project(): string {
  const dir = join(scratch, `p${copies++}`);
  mkdirSync(dir, { recursive: true });
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

async function fleet(cwd: string, ...argv: string[]) {
  const io = captureIo(cwd);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/')).sort();
}

describe('fleet generate <kind> <name>', () => {
  it('service: writes the class and its unit test, registers it in the root module, which has entries', async () => {
    const dir = project();
    const result = await fleet(dir, 'generate', 'service', 'orders');
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toMatch(/^CREATE src\/orders\/orders\.service\.ts \(\d+ bytes\)\nCREATE src\/orders\/orders\.service\.test\.ts \(\d+ bytes\)\nUPDATE src\/app\.module\.ts \(\d+ bytes\)\n$/);
    expect(read(dir, 'src/app.module.ts')).toBe([
      "import { Module } from '@fleet/core';",
      "import { HelloModule } from './hello/hello.module.js';",
      "import { OrdersService } from './orders/orders.service.js';",
      '',
      '/** The root module, booted by main.ts. */',
      '@Module({ imports: [HelloModule], providers: [OrdersService] })',
      'export class AppModule {}',
      '',
    ].join('\n'));
    expect(read(dir, 'src/orders/orders.service.ts')).toContain('@Injectable()\nexport class OrdersService {');
    expect(read(dir, 'src/orders/orders.service.test.ts')).toContain("import { OrdersService } from './orders.service.js';");
  });

  it('controller: registers in the nearest module, here one with no entries (src/empty/empty.module.ts)', async () => {
    const dir = project();
    const result = await fleet(dir, 'g', 'controller', 'empty/things');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toContain('UPDATE src/empty/empty.module.ts');
    expect(read(dir, 'src/empty/empty.module.ts')).toBe([
      "import { Module } from '@fleet/core';",
      "import { ThingsController } from './things/things.controller.js';",
      '',
      '// A module with no entries yet.',
      '@Module({ controllers: [ThingsController] })',
      'export class EmptyModule {}',
      '',
    ].join('\n'));
    expect(read(dir, 'src/empty/things/things.controller.ts')).toContain("@Controller('/things')\nexport class ThingsController {");
    expect(read(dir, 'src/empty/things/things.controller.test.ts')).toContain('createTestApp(ThingsControllerTestModule)');
  });

  it('--flat writes into the folder of the path, beside its module; a multi-line module stays one entry per line', async () => {
    const dir = project();
    expect((await fleet(dir, 'g', 'service', 'hello/greeter', '--flat')).code).toBe(ExitCode.Ok);
    expect(existsSync(join(dir, 'src/hello/greeter.service.ts'))).toBe(true);
    expect(read(dir, 'src/hello/hello.module.ts')).toBe([
      "import { Module } from '@fleet/core';",
      "import { HelloController } from './hello.controller.js';",
      "import { GreeterService } from './greeter.service.js';",
      '',
      '@Module({',
      '  controllers: [',
      '    HelloController,',
      '  ],',
      '  providers: [GreeterService],',
      '})',
      'export class HelloModule {}',
      '',
    ].join('\n'));
  });

  it('module: imported by the module above it; its test boots the app with the app\'s config', async () => {
    const dir = project();
    expect((await fleet(dir, 'g', 'module', 'billing')).code).toBe(ExitCode.Ok);
    expect(read(dir, 'src/app.module.ts')).toContain('@Module({ imports: [HelloModule, BillingModule] })');
    expect(read(dir, 'src/billing/billing.module.ts')).toContain('@Module({})\nexport class BillingModule {}');
    const test = read(dir, 'src/billing/billing.module.test.ts');
    expect(test).toContain("import { AppModule } from '../app.module.js';");
    expect(test).toContain('createTestApp(AppModule, { config: AppConfig })');
    // the next class in the new module's folder registers in the new module
    expect((await fleet(dir, 'g', 'service', 'billing/invoices')).out).toContain('UPDATE src/billing/billing.module.ts');
    expect(read(dir, 'src/billing/billing.module.ts')).toContain('@Module({ providers: [InvoicesService] })');
  });

  it('repository: the migration of its table, and DatabaseModule in the root module once', async () => {
    const dir = project();
    const first = await fleet(dir, 'g', 'repository', 'orders');
    expect(first.code).toBe(ExitCode.Ok);
    expect(first.out).toContain('CREATE migrations/0001_create_orders.sql');
    expect(first.out).toContain('now imports DatabaseModule: the app and its tests need PostgreSQL');
    expect(read(dir, 'src/app.module.ts')).toBe([
      "import { Module, DatabaseModule } from '@fleet/core';",
      "import { HelloModule } from './hello/hello.module.js';",
      "import { OrdersRepository } from './orders/orders.repository.js';",
      '',
      '/** The root module, booted by main.ts. */',
      "@Module({ imports: [HelloModule, DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('../migrations/', import.meta.url) } })], providers: [OrdersRepository] })",
      'export class AppModule {}',
      '',
    ].join('\n'));
    expect(read(dir, 'migrations/0001_create_orders.sql')).toContain('create table orders (');
    expect(read(dir, 'src/orders/orders.repository.test.ts')).toContain("new URL('../../migrations/', import.meta.url)");

    const second = await fleet(dir, 'g', 'repository', 'order-items');
    expect(second.out).toContain('CREATE migrations/0002_create_order_items.sql');
    expect(second.out).not.toContain('DatabaseModule');
    expect(read(dir, 'src/order-items/order-items.repository.ts')).toContain('from order_items where id = ${id}');
    expect(read(dir, 'src/app.module.ts').match(/DatabaseModule/g)).toHaveLength(2); // the import and the one entry
  });

  it('job: an @Async run() behind a validating enqueue(), registered as a provider, JobsModule wired once; a kind suffix is not doubled', async () => {
    const dir = project();
    const first = await fleet(dir, 'g', 'job', 'send-welcome-email-job');
    expect(first.code).toBe(ExitCode.Ok);
    const source = read(dir, 'src/send-welcome-email/send-welcome-email.job.ts');
    expect(source).toContain('export class SendWelcomeEmailJob {');
    expect(source).toContain('@Async({ attempts: 3 })');
    expect(source).toContain('return enqueued(this.run(SendWelcomeEmailJobPayload.parse(input)));');
    expect(read(dir, 'src/app.module.ts')).toContain('providers: [SendWelcomeEmailJob]');
    expect(read(dir, 'src/app.module.ts')).toMatch(/import \{[^}]*JobsModule[^}]*\} from '@fleet\/core'/);
    expect(first.out).toContain('src/app.module.ts now imports JobsModule');
    const second = await fleet(dir, 'g', 'job', 'nightly-report');
    expect(second.code).toBe(ExitCode.Ok);
    expect(second.out).not.toContain('JobsModule');
    expect(read(dir, 'src/app.module.ts').match(/JobsModule/g)).toHaveLength(2); // the import and the one entry
  });

  it('refuses to overwrite: a second run fails with exit 1, names the files, and changes nothing', async () => {
    const dir = project();
    expect((await fleet(dir, 'g', 'service', 'orders')).code).toBe(ExitCode.Ok);
    const before = tree(dir).map((f) => [f, read(dir, f)]);
    const again = await fleet(dir, 'g', 'service', 'orders');
    expect(again.code).toBe(ExitCode.Failure);
    expect(again.out).toBe('');
    expect(again.err).toBe('fleet generate: [FLEET_ERR_CLI_FILE_EXISTS] fleet generate service orders would overwrite ' +
      'src/orders/orders.service.ts, src/orders/orders.service.test.ts; nothing was written.\n' +
      'Fix: choose another name, or move the existing file away first (fleet never overwrites).\n');
    expect(tree(dir).map((f) => [f, read(dir, f)])).toEqual(before);
  });

  it('--dry-run prints the files and the module edit, and writes nothing', async () => {
    const dir = project();
    const before = tree(dir);
    const result = await fleet(dir, 'g', 'controller', 'orders', '--dry-run');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toMatch(/^CREATE src\/orders\/orders\.controller\.ts \(\d+ bytes\)\nCREATE src\/orders\/orders\.controller\.test\.ts \(\d+ bytes\)\nUPDATE src\/app\.module\.ts \(\d+ bytes\)\n/);
    expect(result.out).toContain([
      "    import { HelloModule } from './hello/hello.module.js';",
      "  + import { OrdersController } from './orders/orders.controller.js';",
    ].join('\n'));
    expect(result.out).toContain([
      '  - @Module({ imports: [HelloModule] })',
      '  + @Module({ imports: [HelloModule], controllers: [OrdersController] })',
    ].join('\n'));
    expect(result.out).toMatch(/Dry run: nothing was written\.\n$/);
    expect(tree(dir)).toEqual(before);
  });

  it('--module picks the module; --skip-register edits none', async () => {
    const dir = project();
    expect((await fleet(dir, 'g', 'service', 'clock', '--module', 'src/empty/empty.module.ts')).out).toContain('UPDATE src/empty/empty.module.ts');
    expect(read(dir, 'src/empty/empty.module.ts')).toContain("import { ClockService } from '../clock/clock.service.js';");
    const skipped = await fleet(dir, 'g', 'service', 'calendar', '--skip-register');
    expect(skipped.out).not.toContain('UPDATE');
    expect(read(dir, 'src/app.module.ts')).not.toContain('Calendar');
  });

  it('fails with exit 1 outside a project, or when a module cannot be edited', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'fleet-generate-'));
    try {
      const result = await fleet(outside, 'g', 'service', 'orders');
      expect(result.code).toBe(ExitCode.Failure);
      expect(result.err).toMatch(/^fleet generate: \[FLEET_ERR_CLI_NOT_A_PROJECT\] no project here/);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    const dir = project();
    const bad = await fleet(dir, 'g', 'service', 'orders', '--module', 'src/config.ts');
    expect(bad.code).toBe(ExitCode.Failure);
    expect(bad.err).toContain('[FLEET_ERR_CLI_MODULE_EDIT] src/config.ts has no class decorated with @Module(...).');
    expect(existsSync(join(dir, 'src/orders'))).toBe(false);
  });

  const usage: Array<[string[], string]> = [
    [['generate'], 'fleet generate: generate: missing kind, one of controller, service, repository, module, job.\n  controller   a @Controller with GET /<name>'],
    [['generate', 'servce', 'orders'], 'fleet generate: generate: unknown kind "servce". Did you mean "service"?'],
    [['generate', 'service'], 'fleet generate: generate service: missing name.'],
    [['generate', 'service', '../orders'], 'fleet generate: generate service: "../orders" is not a valid name (".." must start with a letter'],
    [['generate', 'service', '9lives'], 'fleet generate: generate service: "9lives" is not a valid name'],
    [['generate', 'service', 'orders', 'extra'], 'fleet generate: unexpected argument "extra".'],
    [['generate', 'service', 'orders', '--dryrun'], 'fleet generate: unknown flag --dryrun. Did you mean --dry-run?'],
  ];
  it.each(usage)('exits 2 on fleet %j', async (argv, message) => {
    const result = await fleet(project(), ...argv);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.out).toBe('');
    expect(result.err.startsWith(message)).toBe(true);
  });

  it('lists the kinds and flags in fleet generate --help', async () => {
    const help = await fleet(root, 'generate', '--help');
    expect(help.out).toMatch(/^Usage: fleet generate \[kind\] \[name\] \[flags\]$/m);
    expect(help.out).toMatch(/^Aliases: g$/m);
    expect(help.out).toMatch(/^ {2}kind +controller \| service \| repository \| module \| job: each written with its test/m);
    for (const flag of ['--dry-run', '--module <file>', '--skip-register', '--flat']) expect(help.out).toContain(flag);
  });
});

describe('the generated files type-check', () => {
  it('after every generator, with modules that had entries and modules that had none', async () => {
    const dir = project();
    for (const argv of [['service', 'orders'], ['controller', 'orders'], ['repository', 'orders'], ['module', 'billing'],
      ['service', 'billing/invoices'], ['controller', 'empty/things'], ['job', 'send-email'], ['service', 'hello/greeter', '--flat']]) {
      const result = await fleet(dir, 'generate', ...argv);
      expect(result.err, argv.join(' ')).toBe('');
    }
    expect(typeErrors(dir)).toEqual([]);
  }, 60_000);
});

/** Diagnostics of the project's own files, against the packages' sources (as the repository's tsconfig maps them). */
function typeErrors(dir: string): string[] {
  const files = tree(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'], types: ['node'], strict: true, noImplicitOverride: true, experimentalDecorators: true,
    emitDecoratorMetadata: true, useDefineForClassFields: false, skipLibCheck: true, noEmit: true, esModuleInterop: true,
    paths: { '@fleet/core': [join(root, 'packages/core/src/index.ts')], '@fleet/testing': [join(root, 'packages/testing/src/index.ts')] },
  });
  return ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || d.file.fileName.startsWith(dir))
    .map((d) => `${d.file ? relative(dir, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
