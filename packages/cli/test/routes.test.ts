import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sample = fileURLToPath(new URL('../../../apps/sample/', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

const SAMPLE_ROUTES = [
  { method: 'GET', path: '/api/users', handler: 'ApiUsersController.list', decorators: ['RateLimit'] },
  { method: 'GET', path: '/hello', handler: 'HelloController.hello', decorators: [] },
  { method: 'GET', path: '/inventory/:sku', handler: 'InventoryController.get', decorators: [] },
  { method: 'POST', path: '/login', handler: 'AuthController.login', decorators: ['RateLimit'] },
  { method: 'POST', path: '/logout', handler: 'AuthController.logout', decorators: [] },
  { method: 'GET', path: '/me', handler: 'AuthController.me', decorators: [] },
  { method: 'POST', path: '/orders', handler: 'OrdersController.create', decorators: [] },
  { method: 'GET', path: '/orders/:id', handler: 'OrdersController.get', decorators: [] },
  { method: 'POST', path: '/orders/:id/pay', handler: 'OrdersController.pay', decorators: [] },
  { method: 'GET', path: '/users/:id', handler: 'UsersController.get', decorators: [] },
  { method: 'PUT', path: '/users/:id', handler: 'UsersController.put', decorators: [] },
];
const SAMPLE_TABLE = [
  'METHOD  PATH             HANDLER                  DECORATORS',
  'GET     /api/users       ApiUsersController.list  RateLimit',
  'GET     /hello           HelloController.hello',
  'GET     /inventory/:sku  InventoryController.get',
  'POST    /login           AuthController.login     RateLimit',
  'POST    /logout          AuthController.logout',
  'GET     /me              AuthController.me',
  'POST    /orders          OrdersController.create',
  'GET     /orders/:id      OrdersController.get',
  'POST    /orders/:id/pay  OrdersController.pay',
  'GET     /users/:id       UsersController.get',
  'PUT     /users/:id       UsersController.put',
  '',
].join('\n');
// The sample needs a session secret (it boots Sessions); main.ts fills one in development only.
const SESSION_SECRET = 'cli-test-session-secret-at-least-32-chars';

/** The sample's env without its own variables, so the defaults apply unless a test sets them. */
function sampleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PORT: _port, HOST: _host, GREETING: _greeting, ...env } = process.env;
  return { ...env, SESSION_SECRET, ...extra };
}

/** Runs the built binary as a real process; resolves with its exit code and output. */
async function fleetBin(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], { cwd: options.cwd ?? sample, env: options.env ?? sampleEnv() });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

async function fleet(argv: string[], cwd = sample) {
  const io = captureIo(cwd);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  process.env.SESSION_SECRET = SESSION_SECRET;
  process.env.PAYMENT_URL = 'http://127.0.0.1:4010';
  process.env.INVENTORY_URL = 'http://127.0.0.1:4010';
  // The binary and the sample's compiled module are what these tests exercise: build them (incremental).
  await execFileAsync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli', 'apps/sample'], { cwd: root });
}, 120_000);

describe('fleet routes, in-process', () => {
  it('prints the sample\'s routes as JSON, sorted by path', async () => {
    const result = await fleet(['routes', '--json', '--config', 'dist/config.js']);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    expect(JSON.parse(result.out)).toEqual(SAMPLE_ROUTES);
  });

  it('sorts by path then method, whatever the declaration order, and --export picks the module', async () => {
    const result = await fleet(['routes', '--module', 'modules.js', '--export', 'UnsortedModule', '--json'], fixtures);
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toEqual([
      { method: 'GET', path: '/zoo', handler: 'ZooController.index', decorators: [] },
      { method: 'DELETE', path: '/zoo/a', handler: 'ZooController.deleteA', decorators: [] },
      { method: 'GET', path: '/zoo/a', handler: 'ZooController.getA', decorators: [] },
      { method: 'GET', path: '/zoo/b', handler: 'ZooController.getB', decorators: [] },
      { method: 'POST', path: '/zoo/b', handler: 'ZooController.postB', decorators: [] },
    ]);
  });

  it('lists the decorators applied to each handler, in the order they run', async () => {
    const json = await fleet(['routes', '--module', 'modules.js', '--export', 'ResilientModule', '--json'], fixtures);
    expect(json.err).toBe('');
    expect(JSON.parse(json.out)).toEqual([
      { method: 'GET', path: '/prices', handler: 'PricesController.list', decorators: ['Retry', 'CircuitBreaker', 'Timeout'] },
      { method: 'GET', path: '/prices/plain', handler: 'PricesController.plain', decorators: [] },
    ]);
    expect((await fleet(['routes', '--module', 'modules.js', '--export', 'ResilientModule'], fixtures)).out).toBe([
      'METHOD  PATH           HANDLER                 DECORATORS',
      'GET     /prices        PricesController.list   Retry, CircuitBreaker, Timeout',
      'GET     /prices/plain  PricesController.plain',
      '',
    ].join('\n'));
  });

  it('says so when the module has no routes', async () => {
    const result = await fleet(['routes', '--module', 'modules.js', '--export', 'EmptyModule'], fixtures);
    expect(result).toEqual({ code: ExitCode.Ok, out: 'No routes: EmptyModule has no controllers with routes.\n', err: '' });
    expect(JSON.parse((await fleet(['routes', '--module', 'modules.js', '--export', 'EmptyModule', '--json'], fixtures)).out)).toEqual([]);
  });

  it('fails with exit 1 and the fix when the module file is missing, or lacks the export', async () => {
    const missing = await fleet(['routes', '--module', 'dist/nope.js']);
    expect(missing.code).toBe(ExitCode.Failure);
    expect(missing.err).toMatch(/^fleet routes: \[FLEET_ERR_CLI_FILE_NOT_FOUND\] --module: no file at dist\/nope\.js /);
    expect(missing.err).toContain('Fix: build the app first');

    const noExport = await fleet(['routes', '--export', 'AppModle']);
    expect(noExport.code).toBe(ExitCode.Failure);
    expect(noExport.err).toContain('[FLEET_ERR_CLI_EXPORT_NOT_FOUND] dist/app.module.js has no export named "AppModle". Did you mean "AppModule"? Its exports: AppModule.');
    expect(noExport.err).toContain('Fix: pass --export <name>');

    const noConfigExport = await fleet(['routes', '--config', 'dist/config.js', '--config-export', 'Settings']);
    expect(noConfigExport.code).toBe(ExitCode.Failure);
    expect(noConfigExport.err).toContain('dist/config.js has no export named "Settings". Its exports: AppConfig.');
    expect(noConfigExport.err).toContain('--config-export <name>');
  });
});

describe('the built binary, run with cwd apps/sample', () => {
  it('starts with a node shebang', () => {
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('prints the route table sorted by path and exits 0 without listening', async () => {
    const result = await fleetBin(['routes', '--config', 'dist/config.js']);
    expect(result).toEqual({ code: 0, out: SAMPLE_TABLE, err: '' });
  });

  it('prints JSON with --json', async () => {
    const result = await fleetBin(['routes', '--json', '--config', 'dist/config.js']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual(SAMPLE_ROUTES);
  });

  it('boots the sample, whose AppModule provides its config, without --config', async () => {
    const result = await fleetBin(['routes', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual(SAMPLE_ROUTES);
  });

  it('prints the FleetError code and message and exits 1 when the app does not boot, with a hint about --config', async () => {
    const result = await fleetBin(['routes', '--module', `${fixtures}modules.js`, '--export', 'NeedsConfigModule']);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^fleet routes: \[FLEET_ERR_DI_MISSING_PROVIDER\] GreetController cannot be built: no provider for FixtureConfig/);
    expect(result.err).toContain('pass it here too: --config <file>');
    const withConfig = await fleetBin(['routes', '--module', `${fixtures}modules.js`, '--export', 'NeedsConfigModule', '--config', `${fixtures}modules.js`, '--config-export', 'FixtureConfig', '--json']);
    expect(withConfig.code).toBe(0);
    expect(JSON.parse(withConfig.out)).toEqual([{ method: 'GET', path: '/greet', handler: 'GreetController.hello', decorators: [] }]);
  });

  it('reads config from the environment as usual: an invalid variable fails the boot with exit 1', async () => {
    const result = await fleetBin(['routes', '--config', 'dist/config.js'], { env: sampleEnv({ PORT: 'not-a-port' }) });
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^fleet routes: \[FLEET_ERR_CONFIG_INVALID\] Invalid configuration/);
    expect(result.err).toContain('PORT (AppConfig)');
    expect(result.err).toContain('"not-a-port"');
  });

  it('explains that TypeScript sources cannot be loaded', async () => {
    const result = await fleetBin(['routes', '--module', 'src/app.module.ts']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^fleet routes: \[FLEET_ERR_CLI_IMPORT_FAILED\] --module: importing src\/app\.module\.ts threw\./);
    expect(result.err).toContain('Fix: fleet loads compiled JavaScript');
  });

  it('exits 2 on a usage error and prints the version', async () => {
    expect(await fleetBin(['rotues'])).toEqual({
      code: 2, out: '', err: 'fleet: unknown command "rotues". Did you mean "routes"?\nRun "fleet --help" to see the commands.\n',
    });
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await fleetBin(['--version'])).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });
});
