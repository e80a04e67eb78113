import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKLIST, RULES, type DoctorReport } from '../src/doctor/index.js';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sample = fileURLToPath(new URL('../../../apps/sample/', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/doctor/', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

async function fleet(argv: string[], cwd = fixtures) {
  const io = captureIo(cwd);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const reports = new Map<string, Promise<{ code: number; report: DoctorReport }>>();

/** `fleet doctor --dir <dir> --json`, run once per app (the report is only read). */
function doctorJson(dir: string, cwd = fixtures): Promise<{ code: number; report: DoctorReport }> {
  const key = join(cwd, dir);
  if (!reports.has(key)) {
    reports.set(key, fleet(['doctor', '--dir', dir, '--json'], cwd).then((result) => {
      expect(result.err).toBe('');
      return { code: result.code, report: JSON.parse(result.out) as DoctorReport };
    }));
  }
  return reports.get(key)!;
}

/**
 * Where the fixtures expect findings: every line with a `// doctor: <rule>` marker (or
 * `// doctor: <checklist id>`), so the expectations follow the fixture text, not line numbers.
 */
function markers(dir: string): Array<{ rule: string; file: string; line: number }> {
  const out: Array<{ rule: string; file: string; line: number }> = [];
  for (const name of readdirSync(join(fixtures, dir), { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    readFileSync(join(fixtures, dir, name), 'utf8').split('\n').forEach((text, i) => {
      const m = /\/\/ doctor: ([\w/-]+)/.exec(text);
      if (m) out.push({ rule: m[1]!, file: `${dir}/${name.split('\\').join('/')}`, line: i + 1 });
    });
  }
  return out;
}

const byPlace = (a: { rule: string; file: string; line: number }, b: { rule: string; file: string; line: number }) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule);

beforeAll(async () => {
  // doctor reads @fleet/core's declared types (createApp's options) from its build output.
  await execFileAsync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root });
}, 120_000);

describe('fleet doctor on the clean fixture app', () => {
  it('finds nothing, passes every applicable checklist item and exits 0', async () => {
    const { code, report } = await doctorJson('clean/src');
    expect(report.findings).toEqual([]);
    expect(Object.fromEntries(report.checklist.map((i) => [i.id, i.status]))).toEqual({
      'stateless': 'passed',
      'sessions-external': 'passed',
      'files-object-storage': 'not-applicable',
      'db-pooled': 'passed',
      'heavy-tasks-queued': 'not-applicable',
      'caching-ttl': 'not-applicable',
      'rate-limiting': 'passed',
      'circuit-breakers': 'passed',
      'health-checks': 'passed',
      'graceful-shutdown': 'passed',
    });
    expect(report.summary).toEqual({ files: 9, errors: 0, warnings: 0, infos: 0, passed: 7, failed: 0, notApplicable: 3, ok: true });
    expect(code).toBe(ExitCode.Ok);
  });

  it('gives the reason for each item, with evidence', async () => {
    const { report } = await doctorJson('clean/src');
    const reason = (id: string) => report.checklist.find((i) => i.id === id)!;
    expect(reason('sessions-external').reason).toContain('Sessions (@fleet/core)');
    expect(reason('sessions-external').at).toContain('clean/src/auth/auth.controller.ts:1');
    expect(reason('db-pooled').reason).toContain('DatabaseModule');
    expect(reason('rate-limiting').reason).toBe('@RateLimit on AuthController.login and OrdersController.create: fleet-wide counters in Redis.');
    expect(reason('circuit-breakers').reason).toBe('1 call to other services, each in a method with @CircuitBreaker.');
    expect(reason('health-checks').reason).toContain('/health/live, /health/ready and /health/startup');
    expect(reason('graceful-shutdown').reason).toContain('createApp handles SIGTERM and SIGINT');
    expect(reason('files-object-storage').reason).toContain('request code writes nothing to disk');
    expect(reason('caching-ttl').reason).toBe('the app caches nothing (no @Cached, no in-process cache).');
  });

  it('prints a readable report ending in PASSED', async () => {
    const result = await fleet(['doctor', '--dir', 'clean/src']);
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.err).toBe('');
    expect(result.out).toMatch(/^fleet doctor: 9 source files under clean\/src\n\nNo findings\.\n/);
    expect(result.out).toMatch(/^ {2}✓ Services are stateless {2,}no module-level/m);
    expect(result.out).toMatch(/^ {2}– Files stored in object storage {2,}n\/a: /m);
    expect(result.out).toMatch(/\nPASSED: 0 errors, 0 warnings, 0 opt-outs; checklist 7 passed, 0 failed, 3 not applicable\.\n$/);
  });
});

describe('fleet doctor on the dirty fixture app', () => {
  it('finds each anti-pattern at its file:line, and nothing else', async () => {
    const { report } = await doctorJson('dirty/src');
    const expected = markers('dirty/src').filter((m) => m.rule !== 'graceful-shutdown');
    expect(expected.length).toBeGreaterThanOrEqual(19);
    const found = report.findings.map((f) => ({ rule: f.rule, file: f.file, line: f.line }));
    expect(found.sort(byPlace)).toEqual(expected.sort(byPlace));
  });

  it('reports each finding with severity, column, message and fix', async () => {
    const { report } = await doctorJson('dirty/src');
    for (const f of report.findings) {
      expect(f.severity, f.rule).toBe(f.rule === 'state/allow-state' ? 'info' : 'error');
      expect(f.column).toBeGreaterThan(0);
      expect(f.message.length).toBeGreaterThan(20);
      expect(f.fix.length).toBeGreaterThan(20);
    }
    const one = (rule: string, text: string) => report.findings.find((f) => f.rule === rule && f.message.includes(text));
    expect(one('state/module-collection', '"sessions"')?.fix).toContain('inject Sessions');
    expect(one('state/module-collection', '"cache"')?.fix).toContain('@Cached({ ttl })');
    expect(one('state/module-mutable', '"requests"')?.message).toBe(
      'module-level let "requests" is reassigned by request code (CounterController.stats, line 9): its value differs between instances and resets on restart.');
    expect(one('state/private-field', '#recent')?.message).toContain('The boot guard cannot see #private fields');
    expect(one('state/field-assigned', 'lastUser')?.message).toContain('FLEET_ERR_STATE_FIELD_ASSIGNED');
    expect(one('state/allow-state', 'inFlight')?.message).toBe("CartService.inFlight: @AllowState('per-instance gauge, exported per pod'): this field may hold state and stays writable.");
    expect(one('db/unpooled-client', 'ShipmentsRepository.byId')?.fix).toContain('DatabaseModule');
    expect(one('db/unpooled-client', 'new Redis()')?.fix).toContain('RedisModule');
    expect(one('timers/in-process', 'refreshPrices()')?.fix).toContain('@Scheduled');
    expect(one('resilience/no-circuit-breaker', 'PaymentsClient.charge')?.fix).toContain('decorate PaymentsClient.charge with @CircuitBreaker');
  });

  it('fails every checklist item, each with a reason that names the cause, and exits 1', async () => {
    const { code, report } = await doctorJson('dirty/src');
    expect(code).toBe(ExitCode.Failure);
    const items = Object.fromEntries(report.checklist.map((i) => [i.id, i]));
    expect(report.checklist.map((i) => i.status)).toEqual(Array(10).fill('failed'));
    expect(items['stateless']!.reason).toMatch(/^11 places keep state in the instance \(state\/module-mutable x1, state\/module-collection x2, /);
    expect(items['sessions-external']!.reason).toContain('session data is kept in the instance\'s memory (dirty/src/sessions.controller.ts:4)');
    expect(items['files-object-storage']!.reason).toContain('writes files to local disk in 2 places');
    expect(items['db-pooled']!.reason).toContain('3 connections opened per request or not pooled');
    expect(items['heavy-tasks-queued']!.reason).toContain('heavy work in 2 places');
    expect(items['caching-ttl']!.reason).toContain('1 in-process cache without a TTL');
    expect(items['rate-limiting']!.reason).toContain('POST /login');
    expect(items['circuit-breakers']!.reason).toContain('1 call to other services without @CircuitBreaker');
    expect(items['health-checks']!.reason).toContain('createApp is called with health: false');
    const [handler] = markers('dirty/src').filter((m) => m.rule === 'graceful-shutdown');
    expect(items['graceful-shutdown']!.reason).toBe(`the SIGTERM handler at ${handler!.file}:${handler!.line} does not close the app: in-flight requests are cut and onShutdown hooks do not run.`);
    expect(report.summary).toMatchObject({ files: 12, errors: 19, warnings: 0, infos: 1, passed: 0, failed: 10, notApplicable: 0, ok: false });
  });

  it('groups the readable report by rule, with file:line:col, the fix, the checklist and FAILED', async () => {
    const result = await fleet(['doctor', '--dir', 'dirty/src']);
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.out).toContain('\nstate/module-mutable (error): A module-level let/var is reassigned from request code\n' +
      '  dirty/src/counter.controller.ts:3:5  module-level let "requests" is reassigned by request code');
    expect(result.out).toMatch(/\n {4}fix: keep shared state in Redis/);
    expect(result.out).toContain('\nstate/allow-state (info): ');
    expect(result.out).toMatch(/^ {2}✗ Rate limiting configured {2,}no rate limit, yet /m);
    expect(result.out).toMatch(/^ {4} +at dirty\/src\/payments\.client\.ts:6$/m);
    expect(result.out).toMatch(/\nFAILED: 19 errors, 0 warnings, 1 opt-out; checklist 0 passed, 10 failed, 0 not applicable\.\n$/);
    // The rules appear in the registry's order, each once.
    const headers = [...result.out.matchAll(/^([a-z]+\/[a-z-]+) \((error|warning|info)\): /gm)].map((m) => m[1]);
    expect(headers).toEqual([...new Set(headers)]);
    expect(headers[0]).toBe('state/module-mutable');
  });
});

describe('fleet doctor on apps/sample', () => {
  it('passes: no state, no opt-outs, no failed checklist item (exit 0)', async () => {
    const { code, report } = await doctorJson('src', sample);
    expect(report.findings).toEqual([]);
    expect(report.findings.filter((f) => f.rule === 'state/allow-state')).toEqual([]);
    expect(report.checklist.find((i) => i.id === 'stateless')!.status).toBe('passed');
    expect(report.checklist.find((i) => i.id === 'rate-limiting')!.status).toBe('passed');
    expect(report.checklist.filter((i) => i.status === 'failed')).toEqual([]);
    expect(code).toBe(ExitCode.Ok);
  });
});

describe('the command line', () => {
  it('is listed by fleet --help, with --dir and --json', async () => {
    expect((await fleet(['--help'])).out).toMatch(/^ {2}doctor +Audit the app's source/m);
    const help = await fleet(['doctor', '--help']);
    expect(help.out).toMatch(/^ {6}--dir <dir> +Directory of the TypeScript sources .*\(default: src\)$/m);
    expect(help.out).toMatch(/^ {6}--json +Print the report as JSON/m);
  });

  it('exits 2 with the fix for a missing or empty --dir and for unknown flags', async () => {
    const missing = await fleet(['doctor', '--dir', 'nope']);
    expect(missing).toMatchObject({ code: ExitCode.Usage, out: '' });
    expect(missing.err).toMatch(/^fleet doctor: --dir: no directory at nope \(/);
    expect(missing.err).toContain('Run fleet doctor from the app\'s folder, or pass --dir <dir>');
    const empty = mkdtempSync(join(tmpdir(), 'fleet-doctor-empty-'));
    try {
      const none = await fleet(['doctor'], empty);
      expect(none.code).toBe(ExitCode.Usage);
      expect(none.err).toMatch(/^fleet doctor: --dir: no directory at src /);
      const noSources = await fleet(['doctor', '--dir', '.'], empty);
      expect(noSources.code).toBe(ExitCode.Usage);
      expect(noSources.err).toMatch(/^fleet doctor: --dir: no TypeScript sources under \. /);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const typo = await fleet(['doctor', '--jsn']);
    expect(typo.code).toBe(ExitCode.Usage);
    expect(typo.err).toMatch(/^fleet doctor: unknown flag --jsn\. Did you mean --json\?/);
  });

  it('--json prints { findings, checklist, summary } and nothing else', async () => {
    const result = await fleet(['doctor', '--dir', 'dirty/src', '--json']);
    const report = JSON.parse(result.out) as DoctorReport;
    expect(Object.keys(report)).toEqual(['findings', 'checklist', 'summary']);
    expect(Object.keys(report.findings[0]!)).toEqual(['rule', 'severity', 'file', 'line', 'column', 'message', 'fix']);
    expect(Object.keys(report.checklist[0]!)).toEqual(['id', 'title', 'status', 'reason', 'at']);
    expect(report.checklist.map((i) => i.title)).toEqual([
      'Services are stateless', 'Sessions stored externally', 'Files stored in object storage', 'Database connections pooled',
      'Heavy tasks queued', 'Caching implemented with TTL', 'Rate limiting configured', 'Circuit breakers on external calls',
      'Health checks implemented', 'Graceful shutdown handling',
    ]);
    expect(report.summary.errors).toBe(report.findings.filter((f) => f.severity === 'error').length);
  });

  it('the built binary exits 0 on the clean app and 1 on the dirty one (usable in CI)', async () => {
    const clean = await execFileAsync(process.execPath, [bin, 'doctor', '--dir', 'clean/src'], { cwd: fixtures });
    expect(clean.stdout).toContain('PASSED');
    const dirty = await execFileAsync(process.execPath, [bin, 'doctor', '--dir', 'dirty/src', '--json'], { cwd: fixtures }).then(
      () => ({ code: 0, stdout: '' }), (e: { code: number; stdout: string }) => e);
    expect(dirty.code).toBe(1);
    expect((JSON.parse(dirty.stdout) as DoctorReport).summary.ok).toBe(false);
  });
});

describe('docs/doctor.md', () => {
  const page = readFileSync(join(root, 'docs/doctor.md'), 'utf8');

  it('shows the report that fleet doctor prints for its example controller', async () => {
    const section = page.slice(page.indexOf('## The report'));
    const source = /```ts\n([\s\S]*?)\n```/.exec(section)![1]!;
    const shown = /```text\n([\s\S]*?)\n```/.exec(section)![1]!;
    const app = mkdtempSync(join(tmpdir(), 'fleet-doctor-docs-'));
    try {
      symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
      mkdirSync(join(app, 'src'));
      writeFileSync(join(app, 'src/cart.controller.ts'), `${source}\n`);
      writeFileSync(join(app, 'src/main.ts'), [
        "import { Module, createApp } from '@fleet/core';",
        "import { CartController } from './cart.controller.js';",
        '@Module({ controllers: [CartController] })',
        'class AppModule {}',
        'const app = await createApp(AppModule);',
        'await app.listen();',
      ].join('\n'));
      const result = await fleet(['doctor'], app);
      expect(result.out).toBe(`${shown}\n`);
      expect(result.code).toBe(ExitCode.Failure);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('documents every rule and every checklist item', () => {
    for (const [rule, { severity }] of Object.entries(RULES)) expect(page, rule).toContain(`| \`${rule}\` | ${severity} |`);
    for (const rule of Object.keys(RULES).filter((r) => r !== 'source/syntax-error')) expect(page, rule).toMatch(new RegExp(`^### .*\`${rule}\``, 'm'));
    for (const title of Object.values(CHECKLIST)) expect(page, title).toContain(`| ${title} |`);
  });
});
