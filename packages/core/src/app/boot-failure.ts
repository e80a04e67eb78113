import { FleetError } from '../errors.js';

/**
 * Prints why the application could not start and exits with code 1, before anything listens:
 * `const app = await createApp(AppModule).catch(exitOnBootFailure);`
 * Fleet errors print their code and message (which says how to fix it); others print their stack.
 */
export function exitOnBootFailure(error: unknown): never {
  const text = error instanceof FleetError
    ? `[${error.code}] ${error.message}${error.cause instanceof Error ? `\nCaused by: ${error.cause.stack ?? error.cause.message}` : ''}`
    : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Fleet could not start.\n${text}\n`);
  process.exit(1);
}
