import { CliError } from './errors.js';

/**
 * The text printed for a failed command. CLI errors and Fleet's own errors (any `FLEET_ERR_*`
 * code, matched by code rather than class: the app may load its own copy of @fleet/core) print
 * their code and message; anything else is a bug in the app or the CLI, printed with its stack.
 */
export function formatError(prefix: string, error: unknown): string {
  // A mistyped command line needs the fix, not a code to look up.
  if (error instanceof CliError && error.code === 'FLEET_ERR_CLI_USAGE') return `${prefix}: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`;
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === 'string' && code.startsWith('FLEET_ERR_')) {
    const lines = [`${prefix}: [${code}] ${error.message}`];
    const cause = describeCause(error);
    if (cause && !error.message.includes(cause)) lines.push(`Cause: ${cause}`);
    if (error instanceof CliError && error.hint) lines.push(error.hint);
    return lines.join('\n') + '\n';
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${prefix}: unexpected error: ${text}\n`;
}

function describeCause(error: Error): string | undefined {
  const cause = error.cause;
  if (cause === undefined) return undefined;
  return cause instanceof Error ? cause.message : String(cause);
}
