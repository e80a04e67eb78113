/**
 * `fleet new` in a real pseudo-terminal: util-linux `script` gives the CLI a pty (stdin and stdout
 * are TTYs, so it prompts), and the test types into it like a user. The keys are what a terminal
 * sends: Enter is \r, the arrows are escape sequences, Ctrl-C is \x03.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const ENTER = '\r';
const DOWN = '\x1b[B';
const CTRL_C = '\x03';
let work: string;

beforeAll(async () => {
  // The binary is what runs in the terminal: build it (incremental).
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root });
  work = mkdtempSync(join(tmpdir(), 'fleet-new-pty-'));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `fleet <args>` in a pseudo-terminal of 120 x 40, in the scratch folder. */
class Terminal {
  private readonly child: ChildProcessWithoutNullStreams;
  private raw = '';
  readonly exited: Promise<number | null>;

  constructor(args: string) {
    const command = `stty cols 120 rows 40 2>/dev/null; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} ${args}`;
    const { VITEST: _v, VITEST_POOL_ID: _p, VITEST_WORKER_ID: _w, ...env } = process.env;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: work, env: { ...env, TERM: 'xterm-256color', NO_COLOR: '1' } });
    this.child.stdout.on('data', (d: Buffer) => { this.raw += d.toString(); });
    this.child.stderr.on('data', (d: Buffer) => { this.raw += d.toString(); });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The screen output so far, without escape sequences. */
  get text(): string {
    // eslint-disable-next-line no-control-regex
    return this.raw.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r/g, '');
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text)) {
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${this.text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Types keys, one write each with a short pause, as a person (and the prompt's key reader) would see them. */
  async type(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.child.stdin.write(key);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

describe('fleet new in a terminal', () => {
  it('asks for the name, package manager, features and install, and does what was answered', async () => {
    const term = new Terminal(`new --link ${JSON.stringify(root)}`);
    await term.waitFor(/Project name/);
    await term.type(...'pty-app', ENTER);
    await term.waitFor(/Package manager[\s\S]*npm[\s\S]*pnpm[\s\S]*yarn/);
    await term.type(DOWN, ENTER); // npm -> pnpm
    await term.waitFor(/Sample features/);
    await term.type(' ', ENTER); // toggle the first (database)
    await term.waitFor(/Install the dependencies now \(pnpm install\)\?/);
    await term.type('n');
    expect(await term.exited).toBe(0);

    expect(term.text).toMatch(/Package manager\s*\n│\s+pnpm/);
    expect(term.text).toMatch(/Sample features[^\n]*\n│\s+database/);
    expect(term.text).toContain('Created pty-app in pty-app');
    expect(term.text).toMatch(/Next:\s+cd pty-app\s+pnpm install\s+docker compose up -d --wait/);
    const dir = join(work, 'pty-app');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('pty-app');
    expect(pkg.pnpm.overrides['@fleet/core']).toBe(`file:${join(root, 'packages/core')}`);
    expect(readFileSync(join(dir, 'src/app.module.ts'), 'utf8')).toContain('DatabaseModule.forRoot(');
    expect(readFileSync(join(dir, 'src/hello/hello.controller.ts'), 'utf8')).not.toContain('RateLimit');
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  }, 60_000);

  it('asks only what the flags leave open, and shows a spinner while it installs', async () => {
    const term = new Terminal(`new pty-install --features none --link ${JSON.stringify(root)}`);
    await term.waitFor(/Package manager/);
    await term.type(ENTER); // npm, preselected
    await term.waitFor(/Install the dependencies now \(npm install\)\?/);
    await term.type(ENTER); // yes, preselected
    await term.waitFor(/Installing dependencies \(npm install --prefer-offline --no-audit --no-fund\)/);
    expect(await term.exited).toBe(0);

    expect(term.text).not.toContain('Project name');
    expect(term.text).not.toContain('Sample features');
    expect(term.text).toMatch(/Installed dependencies in \d+\.\d s/);
    expect(term.text).toMatch(/Next:\s+cd pty-install\s+npm run dev/);
    expect(existsSync(join(work, 'pty-install/node_modules/@fleet/core/dist/index.js'))).toBe(true);
  }, 240_000);

  it('writes nothing when the user presses Ctrl-C, and exits 1', async () => {
    const term = new Terminal(`new --link ${JSON.stringify(root)}`);
    await term.waitFor(/Project name/);
    await term.type(...'half', CTRL_C);
    expect(await term.exited).toBe(1);
    expect(term.text).toContain('Cancelled: nothing was written.');
    expect(readdirSync(work)).not.toContain('half');
  }, 60_000);

  it('asks nothing with --yes, even in a terminal', async () => {
    const term = new Terminal(`new pty-yes --yes --skip-install --link ${JSON.stringify(root)}`);
    expect(await term.exited).toBe(0);
    expect(term.text).not.toContain('Package manager');
    expect(term.text).toContain('Created pty-yes in pty-yes: 20 files. (npm; features: none;');
  }, 60_000);
});
