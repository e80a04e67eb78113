import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '@fleet/core';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sample = fileURLToPath(new URL('../../../apps/sample/', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const SESSION_SECRET = 'cli-test-session-secret-at-least-32-chars';
// The sample's partner services: booting for its document never calls them.
const PARTNERS_URL = 'http://127.0.0.1:4010';
const out = mkdtempSync(join(tmpdir(), 'fleet-openapi-'));
// A JavaScript app written at test time inside the repository, so that it resolves @fleet/core as an app does.
const appDir = fileURLToPath(new URL(`./.openapi-app-${process.pid}/`, import.meta.url));

const APP_JS = `
import { ApiDoc, Controller, Get, Module } from '@fleet/core';
import { z } from 'zod';

export class AccountController { me() { return { id: 'a' }; } }
Get('/account', { response: z.object({ id: z.string() }) })(AccountController.prototype, 'me', Object.getOwnPropertyDescriptor(AccountController.prototype, 'me'));
ApiDoc({ security: ['bearer'] })(AccountController);
Controller()(AccountController);

export class SecureModule {}
Module({ controllers: [AccountController] })(SecureModule);

export const openApiOptions = { info: { title: 'Accounts', version: '2.0.0' }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, ui: true };
`;

function sampleEnv(): NodeJS.ProcessEnv {
  const { PORT: _port, HOST: _host, GREETING: _greeting, ...env } = process.env;
  return { ...env, SESSION_SECRET, PAYMENT_URL: PARTNERS_URL, INVENTORY_URL: PARTNERS_URL };
}

async function fleetBin(args: string[]) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], { cwd: sample, env: sampleEnv(), maxBuffer: 16 * 1024 * 1024 });
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
  process.env.PAYMENT_URL = PARTNERS_URL;
  process.env.INVENTORY_URL = PARTNERS_URL;
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'app.js'), APP_JS);
  await execFileAsync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli', 'apps/sample'], { cwd: root });
}, 120_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(appDir, { recursive: true, force: true });
});

describe('fleet openapi, in-process', () => {
  it('prints the sample\'s document: valid OpenAPI 3.1, with the rate-limited login', async () => {
    const result = await fleet(['openapi']);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    const doc = JSON.parse(result.out) as OpenApiDocument;
    expect((await validate(structuredClone(doc) as never)).valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(['/api/users', '/hello', '/inventory/{sku}', '/login', '/logout', '/me', '/orders', '/orders/{id}', '/orders/{id}/pay', '/users/{id}']);
    expect(doc.paths['/login']!.post!.responses['429']).toBeDefined();
    expect(result.out.endsWith('}\n')).toBe(true);
  });

  it('--out writes the file; --check passes while it is current and fails with the fix once it is not', async () => {
    const file = join(out, 'nested', 'openapi.json');
    const written = await fleet(['openapi', '--out', file]);
    expect(written.code).toBe(ExitCode.Ok);
    expect(written.out).toMatch(/^Wrote .*openapi\.json: 11 operations, \d+ schemas\.\n$/);
    expect(readFileSync(file, 'utf8')).toBe((await fleet(['openapi'])).out);

    expect(await fleet(['openapi', '--out', file, '--check'])).toMatchObject({ code: ExitCode.Ok, err: '' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"3.1.0"', '"3.0.0"'));
    const stale = await fleet(['openapi', '--out', file, '--check']);
    expect(stale.code).toBe(ExitCode.Failure);
    expect(stale.err).toMatch(/is not the current document\. Fix: run "fleet openapi --out .*openapi\.json" and commit the file\.\n$/);
    const missing = await fleet(['openapi', '--out', join(out, 'absent.json'), '--check']);
    expect(missing.err).toContain('does not exist');

    expect(await fleet(['openapi', '--check'])).toEqual({
      code: ExitCode.Usage, out: '', err: 'fleet openapi: --check needs --out <file>: the file to compare.\nUse "fleet openapi --out openapi.json --check".\n',
    });
  });

  it('takes the app\'s OpenApiOptions with --options, as the served document does; without them, says what is missing', async () => {
    const without = await fleet(['openapi', '--module', 'app.js', '--export', 'SecureModule'], appDir);
    expect(without.code).toBe(ExitCode.Failure);
    expect(without.err).toMatch(/^fleet openapi: \[FLEET_ERR_OPENAPI_INVALID_METADATA\] @ApiDoc on AccountController names the security scheme 'bearer'/);
    expect(without.err).toContain('fleet openapi --options');

    const withOptions = await fleet(['openapi', '--module', 'app.js', '--export', 'SecureModule', '--options', 'app.js'], appDir);
    expect(withOptions.err).toBe('');
    const doc = JSON.parse(withOptions.out) as OpenApiDocument;
    expect(doc.info).toEqual({ title: 'Accounts', version: '2.0.0' });
    expect(doc.paths['/account']!.get!.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });

    const wrongExport = await fleet(['openapi', '--module', 'app.js', '--export', 'SecureModule', '--options', 'app.js', '--options-export', 'options'], appDir);
    expect(wrongExport.code).toBe(ExitCode.Failure);
    expect(wrongExport.err).toContain('has no export named "options"');
    expect(wrongExport.err).toContain('--options-export <name>');
  });
});

describe('the built binary', () => {
  it('writes the same bytes from two separate processes (each boots the sample)', async () => {
    const [first, second] = await Promise.all([fleetBin(['openapi']), fleetBin(['openapi'])]);
    expect(first.code).toBe(0);
    expect(first.err).toBe('');
    expect(second.out).toBe(first.out);
    expect(first.out).toBe((await fleet(['openapi'])).out);
  });

  it('lists the command in fleet --help', async () => {
    const help = await fleetBin(['--help']);
    expect(help.out).toMatch(/^ {2}openapi +Write the OpenAPI 3\.1 document of the app/m);
  });
});
