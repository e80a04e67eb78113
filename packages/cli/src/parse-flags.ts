import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandInput, FlagSpecs } from './command.js';
import { usageError } from './errors.js';
import { closestMatch } from './suggest.js';

/** Where the flags belong, for messages: `fleet` or `fleet routes`. */
export interface FlagContext {
  prefix: string;
  maxPositionals: number;
}

/**
 * Parses `args` with parseArgs in strict mode. When parseArgs rejects them, the arguments are
 * read again as tokens to name the offending flag in our own words (parseArgs' messages vary
 * across Node versions and talk about its own API).
 */
export function parseFlags<F extends FlagSpecs>(args: string[], flags: F, context: FlagContext): CommandInput<F> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(flags)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.default !== undefined ? { default: spec.default } : {}) };
  }
  const hint = `Run "${context.prefix} --help" for usage.`;
  let parsed: CommandInput<F>;
  try {
    // The options are built from `flags` (no `multiple`), so the values have the types FlagValues<F> derives.
    parsed = parseArgs({ args, options, strict: true, allowPositionals: context.maxPositionals > 0 }) as CommandInput<F>;
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw error;
    throw usageError(describeRejection(args, flags, options, context.maxPositionals) ?? (error as Error).message, hint);
  }
  if (parsed.positionals.length > context.maxPositionals) {
    throw usageError(`unexpected argument "${parsed.positionals[context.maxPositionals]}".`, hint);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === '') throw usageError(`--${name} needs a value, got an empty string.`, hint);
  }
  return parsed;
}

function describeRejection(args: string[], flags: FlagSpecs, options: NonNullable<ParseArgsConfig['options']>, maxPositionals: number): string | undefined {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  let positionals = 0;
  for (const token of tokens) {
    // The command's own arguments (fleet generate service orders) are fine; the one after them is not.
    if (token.kind === 'positional' && ++positionals > maxPositionals) return `unexpected argument "${token.value}".`;
    if (token.kind !== 'option') continue;
    const spec = flags[token.name];
    if (!spec) {
      const longNames = Object.keys(flags);
      const guess = token.rawName.startsWith('--') ? closestMatch(token.name, longNames) : undefined;
      return `unknown flag ${token.rawName}.${guess ? ` Did you mean --${guess}?` : ''}`;
    }
    if (spec.type === 'boolean' && token.inlineValue) return `${token.rawName} does not take a value (got "${token.value}").`;
    if (spec.type === 'string' && token.value === undefined) return `${token.rawName} needs a value: ${token.rawName} <${spec.valueName ?? 'value'}>.`;
    if (spec.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      return `${token.rawName} needs a value, but is followed by the flag ${token.value}. ` +
        `For a value that starts with "-", write ${token.rawName}=${token.value}.`;
    }
  }
  return undefined;
}
