import type { ExitCode } from './command.js';

/**
 * The CLI's error codes, each with the exit code it produces. Codes are stable; document each
 * in docs/errors.md. Errors raised by the app itself (FleetError from @fleet/core) keep their own code.
 */
export const CLI_ERROR_CODES = {
  FLEET_ERR_CLI_USAGE: { exitCode: 2, summary: 'Unknown command or flag, a missing or malformed flag value, or an unexpected argument' },
  FLEET_ERR_CLI_FILE_NOT_FOUND: { exitCode: 1, summary: 'A file named by a flag (--module, --config, --entry) does not exist' },
  FLEET_ERR_CLI_IMPORT_FAILED: { exitCode: 1, summary: 'Importing the compiled app file threw' },
  FLEET_ERR_CLI_EXPORT_NOT_FOUND: { exitCode: 1, summary: 'The imported file has no export with the given name' },
  FLEET_ERR_CLI_FILE_EXISTS: { exitCode: 1, summary: 'fleet new or fleet generate would overwrite an existing file or a non-empty directory' },
  FLEET_ERR_CLI_NOT_A_PROJECT: { exitCode: 1, summary: 'fleet generate found no package.json with a src/ folder in the current directory or above' },
  FLEET_ERR_CLI_MODULE_EDIT: { exitCode: 1, summary: 'fleet generate found no module to register the new class in, or cannot edit the module\'s @Module({ ... }) safely' },
  FLEET_ERR_CLI_LINK_INVALID: { exitCode: 1, summary: 'fleet new --link points at a folder that is not a built Fleet checkout' },
  FLEET_ERR_CLI_INSTALL_FAILED: { exitCode: 1, summary: 'Installing the new project\'s dependencies failed' },
  FLEET_ERR_CLI_BUILD_FAILED: { exitCode: 1, summary: 'fleet build: the bundler failed (an import it cannot resolve or parse)' },
} as const satisfies Record<string, { exitCode: ExitCode; summary: string }>;

export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/** An error of the command line itself; `exitCode` comes from the registry. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: ExitCode;
  /** What to run or change next, printed under the message. */
  readonly hint?: string;

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = CLI_ERROR_CODES[code].exitCode;
    if (options.hint) this.hint = options.hint;
  }
}

export function usageError(message: string, hint: string): CliError {
  return new CliError('FLEET_ERR_CLI_USAGE', message, { hint });
}
