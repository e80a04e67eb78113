import { ExitCode, type CliIo } from './command.js';
import { GLOBAL_FLAGS, findCommand, overview } from './commands/index.js';
import { CliError, usageError } from './errors.js';
import { commandHelp } from './help-text.js';
import { parseFlags } from './parse-flags.js';
import { formatError } from './report-error.js';
import { cliVersion } from './version.js';

/**
 * Runs `fleet` with `argv` (the arguments after the executable) and resolves with the exit
 * code; it never throws and writes only to `io`. Global flags come before the command name,
 * the command's flags after it: `fleet [--help | --version] <command> [flags]`.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let prefix = 'fleet';
  try {
    const split = argv.findIndex((a) => !a.startsWith('-'));
    const globalArgs = split === -1 ? [...argv] : argv.slice(0, split);
    const global = parseFlags(globalArgs, GLOBAL_FLAGS, { prefix, maxPositionals: 0 }).values;
    const name = split === -1 ? undefined : argv[split]!;

    if (name === undefined) {
      if (global.version && !global.help) io.stdout.write(cliVersion() + '\n');
      else io.stdout.write(overview());
      return ExitCode.Ok;
    }
    const command = findCommand(name);
    if (global.help) {
      io.stdout.write(commandHelp(command));
      return ExitCode.Ok;
    }
    if (global.version) throw usageError('--version takes no command.', 'Run "fleet --version".');

    prefix = `fleet ${command.name}`;
    const parsed = parseFlags(argv.slice(split + 1), { ...command.flags, help: GLOBAL_FLAGS.help }, { prefix, maxPositionals: command.args?.length ?? 0 });
    if (parsed.values.help) {
      io.stdout.write(commandHelp(command));
      return ExitCode.Ok;
    }
    return await command.run(parsed, io);
  } catch (error) {
    io.stderr.write(formatError(prefix, error));
    return error instanceof CliError ? error.exitCode : ExitCode.Failure;
  }
}

/** The real process: its streams and working directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}
