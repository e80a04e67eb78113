export { run } from './cli.js';
export { ExitCode, type CliIo, type Writer } from './command.js';
export { CLI_ERROR_CODES, type CliErrorCode } from './errors.js';
