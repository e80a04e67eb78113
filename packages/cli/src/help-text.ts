import type { Command, FlagSpec, FlagSpecs } from './command.js';

/** `--help`, added to every command. */
export const HELP_FLAG = { type: 'boolean', short: 'h', description: 'Show this help' } as const satisfies FlagSpec;

export function globalHelp(commands: readonly Command[], globalFlags: FlagSpecs): string {
  return [
    'fleet: the Fleet command line',
    '',
    'Usage: fleet <command> [flags]',
    '',
    'Commands:',
    ...columns(commands.map((c) => [c.name + (c.aliases.length ? ` (${c.aliases.join(', ')})` : ''), c.summary])),
    '',
    'Global flags:',
    ...flagLines(globalFlags),
    '',
    'Run "fleet <command> --help" for the flags of a command.',
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const args = (command.args ?? []).map((a) => ` [${a.name}]`).join('');
  return [
    `fleet ${command.name}: ${command.summary}`,
    '',
    `Usage: fleet ${command.name}${args} [flags]`,
    ...(command.aliases.length ? ['', `Aliases: ${command.aliases.join(', ')}`] : []),
    ...(command.args?.length ? ['', 'Arguments:', ...columns(command.args.map((a) => [a.name, a.description]))] : []),
    '',
    'Flags:',
    ...flagLines({ ...command.flags, help: HELP_FLAG }),
    '',
  ].join('\n');
}

function flagLines(flags: FlagSpecs): string[] {
  return columns(Object.entries(flags).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`,
    spec.description + (spec.default !== undefined ? ` (default: ${spec.default})` : ''),
  ]));
}

function columns(rows: Array<[string, string]>): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`);
}
