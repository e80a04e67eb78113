/** Process exit codes of `fleet`: 0 success, 1 the command failed, 2 the command line is wrong. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Anything with `write`, such as `process.stdout` or a test's buffer. */
export interface Writer {
  write(chunk: string): unknown;
}

/** What a command may touch, injected so tests can run commands in-process and read their output. */
export interface CliIo {
  /** Results: tables, JSON, help, the version. */
  stdout: Writer;
  /** Errors and hints. */
  stderr: Writer;
  /** The directory relative paths (such as `--module`) are resolved against. */
  cwd: string;
}

/** One flag of a command, as parsed by `node:util` parseArgs and shown by `--help`. */
export interface FlagSpec {
  type: 'boolean' | 'string';
  /** One line for `--help`. */
  description: string;
  /** Single-letter alias, e.g. `h` for `-h`. */
  short?: string;
  /** Placeholder shown in help after a string flag, e.g. `file` for `--module <file>`. */
  valueName?: string;
  /** Value of a string flag when it is not given; also shown by `--help`. */
  default?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** Parsed flag values, typed from the specs: booleans, strings, and strings that have a default. */
export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]: F[K] extends { type: 'boolean' } ? boolean | undefined
    : F[K] extends { type: 'string'; default: string } ? string
    : F[K] extends { type: 'string' } ? string | undefined
    : string | boolean | undefined;
};

/** A positional argument, documented in `--help`; every positional is optional. */
export interface ArgumentSpec {
  name: string;
  description: string;
}

export interface CommandInput<F extends FlagSpecs> {
  values: FlagValues<F>;
  positionals: string[];
}

/** A `fleet` subcommand. `--help` is added to every command; `run` is only called with valid flags. */
export interface Command<F extends FlagSpecs = FlagSpecs> {
  name: string;
  aliases: readonly string[];
  /** One line for `fleet --help`. */
  summary: string;
  /** Positional arguments the command accepts (none unless listed). */
  args?: readonly ArgumentSpec[];
  flags: F;
  run(input: CommandInput<F>, io: CliIo): Promise<ExitCode>;
}

/** Declares a command with its flag values typed from `flags`. */
export function defineCommand<const F extends FlagSpecs>(command: Command<F>): Command<F> {
  return command;
}
