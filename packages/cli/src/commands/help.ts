import { ExitCode, defineCommand, type Command } from '../command.js';
import { commandHelp } from '../help-text.js';

export interface HelpSources {
  /** The full help: commands and global flags. */
  overview(): string;
  /** The command with this name or alias; throws the usage error for an unknown one. */
  lookup(name: string): Command;
}

/** `fleet help [command]`. The registry is passed in because the registry itself lists this command. */
export function createHelpCommand(sources: HelpSources) {
  return defineCommand({
    name: 'help',
    aliases: [],
    summary: 'Show the commands, or the usage and flags of one command',
    args: [{ name: 'command', description: 'The command to describe' }],
    flags: {},
    async run({ positionals }, io) {
      io.stdout.write(positionals[0] === undefined ? sources.overview() : commandHelp(sources.lookup(positionals[0])));
      return ExitCode.Ok;
    },
  });
}
