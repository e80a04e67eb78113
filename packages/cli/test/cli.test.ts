import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const cwd = process.cwd();
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function fleet(...argv: string[]) {
  const io = captureIo(cwd);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('help', () => {
  it('lists the commands with their summaries and the global flags, for fleet, fleet --help, fleet -h and fleet help', async () => {
    const bare = await fleet();
    expect(bare.code).toBe(ExitCode.Ok);
    expect(bare.err).toBe('');
    expect(bare.out).toMatch(/^Usage: fleet <command> \[flags\]$/m);
    expect(bare.out).toMatch(/^ {2}routes +Print the routes of the app/m);
    expect(bare.out).toMatch(/^ {2}help +Show the commands/m);
    expect(bare.out).toMatch(/^ {2}-h, --help +Show this help$/m);
    expect(bare.out).toMatch(/^ {2}-v, --version +Print the version of fleet$/m);
    for (const argv of [['--help'], ['-h'], ['help']]) {
      expect(await fleet(...argv), argv.join(' ')).toEqual(bare);
    }
  });

  it('shows a command\'s usage, flags and defaults for fleet <cmd> --help, -h, fleet help <cmd> and fleet --help <cmd>', async () => {
    const help = await fleet('routes', '--help');
    expect(help.code).toBe(ExitCode.Ok);
    expect(help.err).toBe('');
    expect(help.out).toMatch(/^Usage: fleet routes \[flags\]$/m);
    expect(help.out).toMatch(/^ {6}--module <file> +Compiled app module .*\(default: dist\/app\.module\.js\)$/m);
    expect(help.out).toMatch(/^ {6}--export <name> +.*\(default: AppModule\)$/m);
    expect(help.out).toMatch(/^ {6}--config <file> +/m);
    expect(help.out).toMatch(/^ {6}--json +Print JSON/m);
    expect(help.out).not.toContain('--version');
    for (const argv of [['routes', '-h'], ['help', 'routes'], ['--help', 'routes']]) {
      expect(await fleet(...argv), argv.join(' ')).toEqual(help);
    }
  });

  it('rejects help for an unknown command with exit 2 and a suggestion', async () => {
    const result = await fleet('help', 'rutes');
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.out).toBe('');
    expect(result.err).toBe('fleet help: unknown command "rutes". Did you mean "routes"?\nRun "fleet --help" to see the commands.\n');
  });
});

describe('version', () => {
  it('prints the version of packages/cli/package.json for --version and -v', async () => {
    expect(await fleet('--version')).toEqual({ code: ExitCode.Ok, out: `${version}\n`, err: '' });
    expect(await fleet('-v')).toEqual({ code: ExitCode.Ok, out: `${version}\n`, err: '' });
  });
});

describe('unknown commands', () => {
  it('suggests the closest command by edit distance, hints at --help and exits 2', async () => {
    for (const typo of ['rotues', 'route', 'routs', 'hlep']) {
      const result = await fleet(typo);
      const meant = typo === 'hlep' ? 'help' : 'routes';
      expect(result, typo).toEqual({
        code: ExitCode.Usage,
        out: '',
        err: `fleet: unknown command "${typo}". Did you mean "${meant}"?\nRun "fleet --help" to see the commands.\n`,
      });
    }
  });

  it('suggests nothing when no command is close', async () => {
    const result = await fleet('deploy');
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.err).toBe('fleet: unknown command "deploy".\nRun "fleet --help" to see the commands.\n');
  });
});

describe('bad flags exit 2 with a message naming the flag', () => {
  const cases: Array<[string[], string]> = [
    [['routes', '--jsn'], 'fleet routes: unknown flag --jsn. Did you mean --json?'],
    [['routes', '-x'], 'fleet routes: unknown flag -x.'],
    [['routes', '--module'], 'fleet routes: --module needs a value: --module <file>.'],
    [['routes', '--module', '--json'], 'fleet routes: --module needs a value, but is followed by the flag --json.'],
    [['routes', '--module='], 'fleet routes: --module needs a value, got an empty string.'],
    [['routes', '--json=yes'], 'fleet routes: --json does not take a value (got "yes").'],
    [['routes', 'extra'], 'fleet routes: unexpected argument "extra".'],
    [['help', 'routes', 'extra'], 'fleet help: unexpected argument "extra".'],
    [['--bogus'], 'fleet: unknown flag --bogus.'],
    [['--json', 'routes'], 'fleet: unknown flag --json.'],
    [['--version', 'routes'], 'fleet: --version takes no command.'],
  ];
  it.each(cases)('fleet %j', async (argv, message) => {
    const result = await fleet(...argv);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.out).toBe('');
    expect(result.err).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(result.err).toMatch(/\nRun "fleet( \w+)? --(help|version)"/);
  });
});
