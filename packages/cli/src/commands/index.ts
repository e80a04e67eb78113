import type { Command, FlagSpecs } from '../command.js';
import { usageError } from '../errors.js';
import { HELP_FLAG, globalHelp } from '../help-text.js';
import { closestMatch } from '../suggest.js';
import { buildCommand } from './build.js';
import { dbCommand } from './db.js';
import { doctorCommand } from './doctor.js';
import { generateCommand } from './generate.js';
import { createHelpCommand } from './help.js';
import { jobsCommand } from './jobs.js';
import { newCommand } from './new.js';
import { openapiCommand } from './openapi.js';
import { routesCommand } from './routes.js';
import { workerCommand } from './worker.js';

/** Flags accepted before the command name. */
export const GLOBAL_FLAGS = {
  help: HELP_FLAG,
  version: { type: 'boolean', short: 'v', description: 'Print the version of fleet' },
} as const satisfies FlagSpecs;

const helpCommand = createHelpCommand({ overview, lookup: findCommand });

/** Every command, in the order `fleet --help` lists them. */
export const COMMANDS: readonly Command[] = [helpCommand, newCommand, generateCommand, routesCommand, openapiCommand, doctorCommand, dbCommand, workerCommand, jobsCommand, buildCommand];

export function overview(): string {
  return globalHelp(COMMANDS, GLOBAL_FLAGS);
}

/** The command with this name or alias; otherwise a usage error suggesting the closest name. */
export function findCommand(name: string): Command {
  const found = COMMANDS.find((c) => c.name === name || c.aliases.includes(name));
  if (found) return found;
  const byName = new Map(COMMANDS.flatMap((c) => [c.name, ...c.aliases].map((n) => [n, c.name] as const)));
  const guess = closestMatch(name, byName.keys());
  throw usageError(`unknown command "${name}".${guess ? ` Did you mean "${byName.get(guess)}"?` : ''}`,
    'Run "fleet --help" to see the commands.');
}
