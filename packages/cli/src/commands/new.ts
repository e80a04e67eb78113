import { existsSync, readdirSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { ExitCode, defineCommand, type CliIo } from '../command.js';
import { CliError, usageError } from '../errors.js';
import { cliVersion } from '../version.js';
import { describeFiles, writeFiles } from '../scaffold/file-plan.js';
import { install, installCommand } from '../scaffold/install.js';
import { checkoutAt, findCheckout } from '../scaffold/link.js';
import { packageNameProblem } from '../scaffold/names.js';
import {
  FEATURES, PACKAGE_MANAGERS, execBin, projectFiles, runScript, type Feature, type NewProjectOptions, type PackageManager,
} from '../scaffold/new-project/index.js';
import { askChoices, canPrompt, cancelled, note, outro, spinner, type NewChoices } from '../scaffold/prompts.js';
import { closestMatch } from '../suggest.js';

const FEATURE_NAMES = Object.keys(FEATURES) as Feature[];

/**
 * `fleet new <name>`: writes a project that type-checks, builds, serves and passes its own tests
 * as created, then installs its dependencies. In a terminal it asks for what the flags leave
 * open; with --yes, or when output is not a terminal, it asks nothing and takes the defaults.
 */
export const newCommand = defineCommand({
  name: 'new',
  aliases: [],
  summary: 'Create a project that builds, runs and passes its own tests (app, unit + HTTP tests, config, compose.yaml, README)',
  args: [{ name: 'name', description: 'Package name of the project (npm rules, e.g. orders-api or @acme/orders-api); also its folder' }],
  flags: {
    directory: { type: 'string', valueName: 'dir', description: 'Folder to create, relative to the current directory (default: the name, without its @scope/)' },
    'package-manager': { type: 'string', short: 'p', valueName: PACKAGE_MANAGERS.join('|'), description: 'Package manager for the install and the README (default: the one running fleet, else npm)' },
    features: { type: 'string', valueName: 'list', description: `Sample features, comma-separated: ${FEATURE_NAMES.join(', ')}; or none (default: none, which needs no services)` },
    'skip-install': { type: 'boolean', description: 'Write the files only; do not install the dependencies' },
    link: { type: 'string', valueName: 'path', description: 'Depend on the @fleet/* packages of this local Fleet checkout (default: the checkout fleet runs from, if any)' },
    registry: { type: 'boolean', description: 'Depend on the published @fleet/* packages even when run from a checkout (no link)' },
    yes: { type: 'boolean', short: 'y', description: 'Ask nothing: defaults for every choice the flags leave open' },
    'dry-run': { type: 'boolean', short: 'd', description: 'List the files it would write, and write nothing' },
  },
  async run({ values, positionals }, io) {
    const known: NewChoices = {
      ...(positionals[0] !== undefined ? { name: checkName(positionals[0]) } : {}),
      ...(values['package-manager'] !== undefined ? { packageManager: parsePackageManager(values['package-manager']) } : {}),
      ...(values.features !== undefined ? { features: parseFeatures(values.features) } : {}),
      ...(values['skip-install'] ? { install: false } : {}),
    };
    const defaults = { packageManager: detectPackageManager(), features: [] as Feature[], install: true };
    const interactive = !values.yes && !values['dry-run'] && canPrompt(io);

    let choices: Required<NewChoices>;
    if (interactive) {
      const answers = await askChoices(known, defaults);
      if (!answers) {
        cancelled('Cancelled: nothing was written.');
        return ExitCode.Failure;
      }
      choices = answers;
    } else {
      if (known.name === undefined) throw usageError('new: missing the project name.', 'Usage: fleet new <name> [flags], e.g. fleet new orders-api --yes.');
      choices = { ...defaults, ...known, name: known.name };
    }

    const directory = resolve(io.cwd, values.directory ?? choices.name.replace(/^@[^/]+\//, ''));
    assertEmpty(directory, io.cwd);
    if (values.link !== undefined && values.registry) throw usageError('--link and --registry exclude each other.', 'Pass --link <path> to use a local checkout, or --registry for the published packages.');
    const linkRoot = values.link !== undefined ? resolve(io.cwd, values.link) : values.registry ? undefined : findCheckout(io.cwd);
    const options: NewProjectOptions = {
      name: choices.name,
      directory,
      packageManager: choices.packageManager,
      features: FEATURE_NAMES.filter((f) => choices.features.includes(f)),
      install: choices.install,
      ...(linkRoot !== undefined ? { link: checkoutAt(linkRoot) } : {}),
      fleetRange: `^${cliVersion()}`,
    };
    const files = projectFiles(options);
    const shown = relative(io.cwd, directory) || '.';

    if (values['dry-run']) {
      io.stdout.write(describeFiles(files, io.cwd) + `Dry run: nothing was written. ${describe(options)}\n`);
      return ExitCode.Ok;
    }
    writeFiles(files);
    if (!interactive) io.stdout.write(`Created ${choices.name} in ${shown}: ${files.length} files. ${describe(options)}\n`);
    else note(`${files.length} files: ${topLevel(directory, files.map((f) => f.path)).join(' ')}`, `Created ${choices.name} in ${shown}`);

    if (options.install) await installDependencies(options, shown, interactive, io);
    const next = nextSteps(options, shown);
    if (interactive) outro(`Next:\n${next.map((l) => `   ${l}`).join('\n')}`);
    else io.stdout.write(`\nNext:\n${next.map((l) => `  ${l}`).join('\n')}\n`);
    return ExitCode.Ok;
  },
});

async function installDependencies(options: NewProjectOptions, shown: string, interactive: boolean, io: CliIo): Promise<void> {
  const command = installCommand(options.packageManager).join(' ');
  const progress = interactive ? spinner() : undefined;
  if (progress) progress.start(`Installing dependencies (${command})`);
  else io.stdout.write(`Installing dependencies: ${command} ...\n`);
  const result = await install(options.packageManager, options.directory);
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (result.ok) {
    if (progress) progress.stop(`Installed dependencies in ${seconds} s`);
    else io.stdout.write(`Installed dependencies in ${seconds} s.\n`);
    return;
  }
  if (progress) progress.error(`${command} failed after ${seconds} s`);
  io.stderr.write(`${result.output}\n`);
  throw new CliError('FLEET_ERR_CLI_INSTALL_FAILED', `${command} failed in ${shown} after ${seconds} s (its output is above). The project files are written.`, {
    hint: `Fix what the output names, then run: cd ${shown} && ${options.packageManager} install`,
  });
}

function nextSteps(options: NewProjectOptions, shown: string): string[] {
  const pm = options.packageManager;
  const services = [...(options.features.includes('database') ? ['PostgreSQL'] : []), ...(options.features.includes('redis') ? ['Redis'] : [])];
  const steps: Array<[string, string]> = [
    [`cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`, ''],
    ...(options.install ? [] : [[`${pm} install`, '']] as Array<[string, string]>),
    ...(services.length > 0 ? [['docker compose up -d --wait', services.join(' and ')]] as Array<[string, string]> : []),
    [runScript(pm, 'dev'), 'http://127.0.0.1:3000/hello, restarted on every change'],
    [runScript(pm, 'test'), 'type-check, then the unit and HTTP tests'],
    [`${execBin(pm, 'fleet')} generate service orders`, 'a service and its test, registered in the nearest module'],
  ];
  const width = Math.max(...steps.filter(([, why]) => why).map(([command]) => command.length));
  return steps.map(([command, why]) => (why ? `${command.padEnd(width)}   # ${why}` : command));
}

/** `package.json src/ test/ ...`: the top-level entries of the project, folders marked. */
function topLevel(directory: string, paths: string[]): string[] {
  const seen = new Set<string>();
  for (const path of paths) {
    const [first, ...rest] = relative(directory, path).split(sep);
    seen.add(rest.length > 0 ? `${first}/` : first!);
  }
  return [...seen];
}

function describe(options: NewProjectOptions): string {
  const features = options.features.length > 0 ? options.features.join(', ') : 'none';
  const fleet = options.link ? `@fleet/* linked to ${options.link.root}` : `@fleet/* ${options.fleetRange}`;
  return `(${options.packageManager}; features: ${features}; ${fleet})`;
}

function checkName(name: string): string {
  const problem = packageNameProblem(name);
  if (problem) throw usageError(`new: the name "${name}" ${problem}.`, 'Example: fleet new orders-api.');
  return name;
}

function parsePackageManager(value: string): PackageManager {
  if ((PACKAGE_MANAGERS as readonly string[]).includes(value)) return value as PackageManager;
  const guess = closestMatch(value, PACKAGE_MANAGERS);
  throw usageError(`--package-manager: unknown package manager "${value}".${guess ? ` Did you mean "${guess}"?` : ''}`, `Use one of ${PACKAGE_MANAGERS.join(', ')}.`);
}

function parseFeatures(value: string): Feature[] {
  const list = value.split(',').map((f) => f.trim()).filter(Boolean);
  if (list.length === 1 && list[0] === 'none') return [];
  for (const feature of list) {
    if ((FEATURE_NAMES as string[]).includes(feature)) continue;
    const guess = closestMatch(feature, FEATURE_NAMES);
    throw usageError(`--features: unknown feature "${feature}".${guess ? ` Did you mean "${guess}"?` : ''}`, `Use a comma-separated list of ${FEATURE_NAMES.join(', ')}, or none.`);
  }
  return [...new Set(list)] as Feature[];
}

/** The package manager that runs fleet (`pnpm dlx`, `yarn dlx` set npm_config_user_agent), else npm. */
function detectPackageManager(): PackageManager {
  const agent = process.env.npm_config_user_agent ?? '';
  return PACKAGE_MANAGERS.find((pm) => agent.startsWith(`${pm}/`)) ?? 'npm';
}

function assertEmpty(directory: string, cwd: string): void {
  if (!existsSync(directory)) return;
  const entries = readdirSync(directory).filter((e) => e !== '.git');
  if (entries.length === 0) return;
  const listed = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, and ${entries.length - 5} more` : '');
  throw new CliError('FLEET_ERR_CLI_FILE_EXISTS', `${relative(cwd, directory) || directory} is not empty (${listed}); nothing was written.`, {
    hint: 'Fix: choose another name or --directory, or remove the folder first (fleet new never writes into a non-empty folder).',
  });
}
