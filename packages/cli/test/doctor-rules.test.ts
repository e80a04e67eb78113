/**
 * The rules and checklist items one case at a time, on small apps written to a temporary
 * directory (the fixture apps under fixtures/doctor show them together). A line that a rule
 * must flag ends with `// doctor: <rule>`; every other line must not be flagged.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChecklistItem, DoctorReport } from '../src/doctor/index.js';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const rootModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));
const made: string[] = [];
afterAll(() => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

interface Audit {
  code: number;
  report: DoctorReport;
  /** `rule file:line` of every finding, sorted. */
  found: string[];
  /** `rule file:line` of every marker, sorted. */
  expected: string[];
  item(id: ChecklistItem['id']): ChecklistItem;
}

/**
 * Writes `files` (paths under src/) to a new app folder and runs `fleet doctor --json` in it.
 * `installed`: link the workspace's node_modules, so imports (and @fleet/core's types) resolve.
 */
async function audit(files: Record<string, string>, options: { installed?: boolean } = {}): Promise<Audit> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-doctor-'));
  made.push(dir);
  if (options.installed) symlinkSync(rootModules, join(dir, 'node_modules'), 'dir');
  const expected: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, 'src', name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    text.split('\n').forEach((line, i) => {
      const m = /\/\/ doctor: ([\w/-]+)/.exec(line);
      if (m) expected.push(`${m[1]} src/${name}:${i + 1}`);
    });
  }
  const io = captureIo(dir);
  const code = await run(['doctor', '--json'], io);
  expect(io.err()).toBe('');
  const report = JSON.parse(io.out()) as DoctorReport;
  return {
    code, report, expected: expected.sort(),
    found: report.findings.map((f) => `${f.rule} ${f.file}:${f.line}`).sort(),
    item: (id) => report.checklist.find((i) => i.id === id)!,
  };
}

const message = (a: Audit, rule: string) => a.report.findings.filter((f) => f.rule === rule).map((f) => f.message);

describe('module-level and static state', () => {
  it('flags what request code changes, not constants, lookup tables or values set at import', async () => {
    const a = await audit({
      'table.ts': [
        "export const LOOKUP = new Map([['a', 1]]);",
        'const FROZEN = Object.freeze(new Map<string, number>()); // doctor: state/module-collection',
        "let region = 'eu';",
        'if (process.env.REGION) region = process.env.REGION;',
        'export const registry = new Map<string, number>(); // doctor: state/module-collection',
        'var hits = 0; // doctor: state/module-mutable',
        'export function lookup(k: string) { FROZEN.set(k, 1); hits += 1; return LOOKUP.get(k) ?? region; }',
        'export class Counter {',
        '  static count = 0; // doctor: state/static-field',
        '  static readonly LIMIT = 10;',
        '  bump() { Counter.count++; return Counter.LIMIT; }',
        '}',
      ].join('\n'),
      'other.ts': [
        "import { registry } from './table.js';",
        'export class Recorder {',
        '  add(k: string) { registry.set(k, 1); }',
        '}',
      ].join('\n'),
    });
    expect(a.found).toEqual(a.expected);
    expect(message(a, 'state/module-collection')).toEqual([
      'module-level "FROZEN" (a Map) is changed by request code (lookup(), line 7): each instance keeps its own copy, and a restart loses it. Object.freeze does not stop set/add/delete on a Map or Set.',
      'module-level "registry" (a Map) is changed by request code (Recorder.add at src/other.ts:3): each instance keeps its own copy, and a restart loses it.',
    ]);
    expect(message(a, 'state/module-mutable')).toEqual(['module-level var "hits" is reassigned by request code (lookup(), line 7): its value differs between instances and resets on restart.']);
    expect(a.item('stateless').status).toBe('failed');
  });

  it('does not flag a registry filled at import through an exported function, and flags it once request code calls it', async () => {
    const plugins = (marker: string) => [
      `const handlers: string[] = [];${marker}`,
      'export function register(h: string) { handlers.push(h); }',
      'export function count() { return handlers.length; }',
    ].join('\n');
    const atImport = await audit({ 'plugins.ts': plugins(''), 'setup.ts': "import { register } from './plugins.js';\nregister('a');\n" });
    expect(atImport.found).toEqual([]);
    const perRequest = await audit({
      'plugins.ts': plugins(' // doctor: state/module-collection'),
      'setup.ts': "import { register } from './plugins.js';\nregister('a');\nexport class Api { add(h: string) { register(h); } }\n",
    });
    expect(perRequest.found).toEqual(perRequest.expected);
  });

  it('knows decorators run when their class is defined, and helpers called only from onInit run at boot', async () => {
    const a = await audit({
      'roles.ts': [
        'const roles = new WeakMap<object, string[]>();',
        'const sealed = new Set<Function>();',
        'export function Roles(...names: string[]): MethodDecorator {',
        '  return (target) => { roles.set(target, names); };',
        '}',
        'export function Sealed(target: Function) { sealed.add(target); }',
        'export function rolesOf(target: object) { return roles.get(target) ?? []; }',
      ].join('\n'),
      'admin.ts': [
        "import { Controller, Get, Injectable } from '@fleet/core';",
        "import { Roles, Sealed, rolesOf } from './roles.js';",
        '@Sealed',
        '@Controller()',
        'export class Admin {',
        "  @Roles('admin') @Get('/admin') index() { return rolesOf(this); }",
        '}',
        '@Injectable()',
        'export class Table {',
        '  private rows!: readonly string[];',
        '  private version = 0;',
        '  onInit() { this.load(); }',
        "  private load() { this.rows = Object.freeze(['a', 'b']); }",
        '  bump() { this.version += 1; return this.version; } // doctor: state/field-assigned',
        '  all() { return this.rows; }',
        '}',
      ].join('\n'),
    });
    expect(a.found).toEqual(a.expected);
  });

  it('treats the entry file\'s own functions as boot and shutdown code', async () => {
    const a = await audit({
      'main.ts': [
        "import { Module, createApp } from '@fleet/core';",
        '@Module({})',
        'class AppModule {}',
        'let stops = 0;',
        'function onSignal() { stops++; }',
        "process.on('SIGUSR2', onSignal);",
        'await createApp(AppModule);',
      ].join('\n'),
    });
    expect(a.found).toEqual([]);
  });
});

describe('provider fields', () => {
  it('mirrors the boot guard: collections in singletons (decorated or listed), assignments after boot, #private fields', async () => {
    const a = await audit({
      'providers.ts': [
        "import { AllowState, Injectable, Module } from '@fleet/core';",
        "@Injectable({ scope: 'transient' })",
        'export class Builder { parts: string[] = []; add(p: string) { this.parts.push(p); } }',
        'export class Registry {',
        '  private items = new Set<string>(); // doctor: state/provider-field',
        '  add(i: string) { this.items.add(i); }',
        '}',
        '@Injectable()',
        'export class Built {',
        '  private cache!: Map<string, string>;',
        '  constructor() {',
        '    this.cache = new Map(); // doctor: state/provider-field',
        '  }',
        '  get(k: string) { return this.cache.get(k); }',
        '}',
        '@Injectable()',
        'export class Ready {',
        '  private ready = false;',
        '  #count = 0;',
        '  onInit() { this.ready = true; }',
        '  isReady() { this.#count++; return this.ready; } // doctor: state/private-field',
        '  total() { return this.#count; }',
        '}',
        "@AllowState('per-instance gauges, scraped per pod') // doctor: state/allow-state",
        '@Injectable()',
        'export class Gauges {',
        '  private readonly perRoute = new Map<string, number>();',
        '  constructor() { setInterval(() => this.perRoute.clear(), 1000); }',
        '}',
        '@Injectable()',
        'export class Settings {',
        '  private current = 0;',
        '  set level(value: number) { void value; }',
        '  apply(v: number) { this.level = v; return this.current; }',
        '}',
        '@Module({',
        '  providers: [Builder, Registry, Built, Ready, Gauges, Settings,',
        "    { provide: 'OPTIONS', useValue: { retries: 3 } },",
        "    { provide: 'CART_STORE', useValue: new Map() }], // doctor: state/provider-field",
        '})',
        'export class AppModule {}',
      ].join('\n'),
    });
    expect(a.found).toEqual(a.expected);
    expect(message(a, 'state/allow-state')).toEqual(["Gauges: @AllowState('per-instance gauges, scraped per pod') on the class: none of its fields are checked or frozen."]);
    expect(message(a, 'state/provider-field')[1]).toBe('Built.cache holds a Map (assigned in the constructor of Built): the boot guard refuses it (FLEET_ERR_STATE_IN_MEMORY), and each instance would keep its own copy.');
    expect(message(a, 'state/provider-field')[2]).toBe("the provider 'CART_STORE' is a Map (useValue): the boot guard refuses it (FLEET_ERR_STATE_IN_MEMORY), and each instance would keep its own copy.");
    expect(a.item('stateless').reason).toBe('4 places keep state in the instance (state/private-field x1, state/provider-field x3): see the findings above.');
  });
});

describe('calls in request code', () => {
  it('finds disk writes, per-request connections, repeating timers, heavy work and unguarded HTTP calls, through any import style', async () => {
    const a = await audit({
      'service.ts': [
        "import { CircuitBreaker, Injectable } from '@fleet/core';",
        "import axios from 'axios';",
        "import * as fs from 'fs';",
        "import fsDefault from 'node:fs';",
        "import got from 'got';",
        "import mysql from 'mysql2/promise';",
        "import nodemailer from 'nodemailer';",
        "import pg from 'pg';",
        "import { createClient } from 'redis';",
        "import { gzipSync } from 'node:zlib';",
        "import { scrypt } from 'node:crypto';",
        'const { appendFileSync } = fsDefault;',
        'const transport = nodemailer.createTransport({});',
        '@Injectable()',
        'export class Service {',
        '  private readonly pool = new pg.Pool();',
        '  private readonly mysqlPool = mysql.createPool({});',
        "  constructor() { fs.writeFileSync('boot.txt', 'ok'); }",
        "  async onInit() { await fs.promises.mkdir('cache', { recursive: true }); }",
        '  async save(name: string) {',
        "    await fs.promises.writeFile(name, 'x'); // doctor: disk/write-in-request",
        "    appendFileSync('log.txt', name); // doctor: disk/write-in-request",
        '    const db = await mysql.createConnection({}); // doctor: db/unpooled-client',
        '    const redis = createClient(); // doctor: db/unpooled-client',
        '    await new Promise((resolve) => setTimeout(resolve, 10));',
        '    return [db, redis, this.pool, this.mysqlPool];',
        '  }',
        '  tick() {',
        '    setTimeout(() => this.tick(), 1000); // doctor: timers/in-process',
        '  }',
        '  start() { globalThis.setInterval(() => undefined, 1000); } // doctor: timers/in-process',
        '  async report(data: string) {',
        "    await transport.sendMail({ to: 'a@example.com', text: data }); // doctor: jobs/heavy-in-request",
        '    scrypt(data, "salt", 64, () => undefined);',
        '    return gzipSync(data); // doctor: jobs/heavy-in-request',
        '  }',
        "  async quote() { return (await axios.get('https://rates.example.com')).data; } // doctor: resilience/no-circuit-breaker",
        '  @CircuitBreaker()',
        "  async ship() { return got.post('https://ship.example.com'); }",
        "  go(fetch: (url: string) => Promise<unknown>) { return fetch('https://example.com'); }",
        '}',
        "export async function ping() { return fetch('https://status.example.com'); } // doctor: resilience/no-circuit-breaker",
      ].join('\n'),
    });
    expect(a.found).toEqual(a.expected);
    const noBreaker = a.report.findings.filter((f) => f.rule === 'resilience/no-circuit-breaker');
    expect(noBreaker.map((f) => f.fix)).toEqual([
      'decorate Service.quote with @CircuitBreaker (and bound it with @Timeout; @Retry for idempotent calls).',
      'move the call into a method of an @Injectable provider and decorate it with @CircuitBreaker (and @Timeout).',
    ]);
    expect(message(a, 'db/unpooled-client')[0]).toBe('mysql2/promise.createConnection() in Service.save opens a connection per call: a handshake and login each time, and the server runs out of connections under load.');
    expect(a.item('circuit-breakers').reason).toBe('2 calls to other services without @CircuitBreaker: see resilience/no-circuit-breaker above.');
  });

  it('reports a file that does not parse, at its line', async () => {
    const a = await audit({ 'broken.ts': 'export const ok = 1;\nexport const broken = ; // doctor: source/syntax-error\n' });
    expect(a.found).toEqual(a.expected);
    expect(a.code).toBe(ExitCode.Failure);
  });
});

describe('checklist items', () => {
  const controller = (routes: string, imports = 'Controller, Get, Post') => [
    `import { ${imports} } from '@fleet/core';`,
    '@Controller()',
    `export class Api {\n${routes}\n}`,
  ].join('\n');

  it('sessions: failed for login routes without a shared store, passed for signed tokens, n/a without session code', async () => {
    const bare = await audit({ 'api.ts': controller("  @Post('/login') login() { return { ok: true }; }") });
    expect(bare.item('sessions-external')).toMatchObject({ status: 'failed', reason: 'POST /login handles logins, but the app keeps sessions in no shared store: use Sessions from @fleet/core (Redis).', at: ['src/api.ts:4'] });
    const tokens = await audit({ 'api.ts': `import { SignJWT } from 'jose';\nexport const sign = SignJWT;\n${controller("  @Post('/login') login() { return { ok: true }; }")}` });
    expect(tokens.item('sessions-external')).toMatchObject({ status: 'passed', reason: 'sessions are signed tokens held by the client (jose): no instance keeps them.' });
    const none = await audit({ 'api.ts': controller("  @Get('/hello') hello() { return 'hi'; }") });
    expect(none.item('sessions-external').status).toBe('not-applicable');
  });

  it('rate limiting: n/a with read routes only, passed with @fastify/rate-limit', async () => {
    const reads = await audit({ 'api.ts': controller("  @Get('/a') a() { return 1; }\n  @Get('/b') b() { return 2; }") });
    expect(reads.item('rate-limiting')).toMatchObject({ status: 'not-applicable', reason: 'only read routes (2 routes, GET/HEAD), so no state-changing route to protect; consider @RateLimit on expensive reads.' });
    const plugin = await audit({ 'api.ts': `import rateLimit from '@fastify/rate-limit';\nexport const plugin = rateLimit;\n${controller("  @Post('/a') a() { return 1; }")}` });
    expect(plugin.item('rate-limiting').status).toBe('passed');
  });

  it('caching: failed for @Cached without a ttl, passed with one', async () => {
    const svc = (args: string) => `import { Cached, Injectable } from '@fleet/core';\n@Injectable()\nexport class Prices {\n  @Cached(${args})\n  price(sku: string) { return sku.length; }\n}\n`;
    const noTtl = await audit({ 'prices.ts': svc('') });
    expect(noTtl.item('caching-ttl')).toMatchObject({ status: 'failed', reason: '@Cached without a ttl on Prices.price: entries would live until evicted.', at: ['src/prices.ts:4'] });
    const ttl = await audit({ 'prices.ts': svc("{ ttl: '5m' }") });
    expect(ttl.item('caching-ttl')).toMatchObject({ status: 'passed', reason: '@Cached with a ttl on Prices.price.' });
  });

  it('database, files and heavy work: passed through pools, object storage and queues', async () => {
    const a = await audit({
      'jobs.ts': [
        "import { Async, Injectable } from '@fleet/core';",
        "import { S3Client } from '@aws-sdk/client-s3';",
        "import pg from 'pg';",
        '@Injectable()',
        'export class Work {',
        '  private readonly pool = new pg.Pool();',
        '  private readonly s3 = new S3Client({});',
        '  @Async()',
        '  async invoice(id: number) { return [id, this.pool, this.s3]; }',
        '}',
      ].join('\n'),
    });
    expect(a.found).toEqual([]);
    expect(a.item('db-pooled')).toMatchObject({ status: 'passed', reason: 'connections come from new pg.Pool(), created once (not per request).', at: ['src/jobs.ts:6'] });
    expect(a.item('files-object-storage')).toMatchObject({ status: 'passed', reason: 'files go to object storage (@aws-sdk/client-s3), and request code writes nothing to local disk.' });
    expect(a.item('heavy-tasks-queued')).toMatchObject({ status: 'passed', reason: 'work is queued with @Async (Work.invoice).' });
  });

  const main = (options: string, extra = '') => [
    "import { Controller, Get, Module, createApp } from '@fleet/core';",
    '@Controller()',
    "class Status { @Get('/healthz') ok() { return { ok: true }; } }",
    '@Module({ controllers: [Status] })',
    'class AppModule {}',
    `const app = await createApp(AppModule${options});`,
    'await app.listen();',
    extra,
  ].join('\n');

  it('health checks: the app\'s own probe route passes when the built-in probes are off', async () => {
    const a = await audit({ 'main.ts': main(', { health: false }') }, { installed: true });
    expect(a.item('health-checks')).toMatchObject({ status: 'passed', reason: 'the app serves GET /healthz.' });
  });

  it('health checks and shutdown: judged from @fleet/core\'s types; without them, the reason says so', async () => {
    const a = await audit({ 'main.ts': main('').replace("'/healthz'", "'/status'") });
    expect(a.item('health-checks').status).toBe('failed');
    expect(a.item('health-checks').reason).toContain('The types of @fleet/core did not resolve');
    expect(a.item('graceful-shutdown').status).toBe('failed');
  });

  it('graceful shutdown: a second SIGTERM handler races the built-in one; with signals off, the app\'s own must close the app', async () => {
    const closeOnSigterm = "for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { void app.close(); });";
    const twice = await audit({ 'main.ts': main('', closeOnSigterm) }, { installed: true });
    expect(twice.item('graceful-shutdown').status).toBe('failed');
    expect(twice.item('graceful-shutdown').reason).toMatch(/^SIGTERM is handled twice: by createApp \(listen\(\) installs the graceful sequence\) and by src\/main\.ts:8, which races it\./);
    const own = await audit({ 'main.ts': main(', { shutdown: { signals: false } }', closeOnSigterm) }, { installed: true });
    expect(own.item('graceful-shutdown')).toMatchObject({ status: 'passed', reason: 'SIGTERM is handled at src/main.ts:8, which closes the app (in-flight requests finish, onShutdown hooks run).' });
    const library = await audit({ 'lib.ts': "export const answer = 42;\n" });
    expect(library.item('graceful-shutdown')).toMatchObject({ status: 'not-applicable', reason: 'no entry point (the source never calls createApp).' });
  });
});
