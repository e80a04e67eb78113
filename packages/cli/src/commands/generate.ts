import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ExitCode, defineCommand } from '../command.js';
import { CliError, usageError } from '../errors.js';
import { assertNothingOverwritten, describeFiles, writeFiles, type PlannedFile } from '../scaffold/file-plan.js';
import { GENERATORS, type Generator } from '../scaffold/generators/index.js';
import { addToModule, type ModuleEntry } from '../scaffold/module-edit.js';
import { ELEMENT_NAME, names, words } from '../scaffold/names.js';
import { findProject, importPath, nearestModule, type Project } from '../scaffold/project.js';
import { closestMatch } from '../suggest.js';

const KINDS = GENERATORS.map((g) => g.kind);

/**
 * `fleet generate <kind> <name>`: writes a class and its test in the project's layout
 * (`src/<name>/<name>.<kind>.ts`), then registers the class in the nearest module by editing that
 * module's syntax tree. Every file is planned in memory first: an existing file or a module it
 * cannot edit stops the command before anything is written.
 */
export const generateCommand = defineCommand({
  name: 'generate',
  aliases: ['g'],
  summary: 'Write a controller, service, repository, module or job with its test, and register it in the nearest module',
  args: [
    { name: 'kind', description: `${KINDS.join(' | ')}: each written with its test (docs/cli-new-and-generate.md)` },
    { name: 'name', description: 'Name of the element, e.g. orders or billing/invoices (a folder path under src/)' },
  ],
  flags: {
    'dry-run': { type: 'boolean', short: 'd', description: 'Print the files it would create and the module edit, and write nothing' },
    module: { type: 'string', valueName: 'file', description: 'Register in this module file instead of the nearest one (relative to the current directory)' },
    'skip-register': { type: 'boolean', description: 'Write the files only; register the class in no module' },
    flat: { type: 'boolean', description: 'Write into the folder of the name\'s path (src/billing/) instead of a folder of its own (src/billing/invoices/)' },
  },
  async run({ values, positionals }, io) {
    const [kind, rawName] = positionals;
    const generator = findGenerator(kind);
    const segments = parseName(rawName, generator);
    const project = findProject(io.cwd);

    const base = names(stripSuffix(segments[segments.length - 1]!, generator.suffix));
    const folders = segments.slice(0, -1).map((s) => names(s).kebab);
    const dir = join(project.sourceRoot, ...folders, ...(values.flat ? [] : [base.kebab]));
    const file = join(dir, `${base.kebab}.${generator.suffix}.ts`);
    const className = `${base.pascal}${names(generator.suffix).pascal}`;
    const output = generator.generate({ project, names: base, dir, className, file });

    const edits = new Map<string, ModuleEntry[]>();
    if (!values['skip-register']) {
      const target = values.module !== undefined ? resolve(io.cwd, values.module) : nearestModule(project, dir, file);
      if (target === undefined) {
        throw new CliError('FLEET_ERR_CLI_MODULE_EDIT', `no module to register ${className} in: no *.module.ts in ${show(project, dir)} or any folder above it under src/.`, {
          hint: 'Fix: pass --module <file>, or --skip-register to write the files only.',
        });
      }
      edits.set(target, [{ list: generator.list, expression: className, name: className, from: importPath(target, file) }]);
    }
    for (const edit of output.moduleEdits ?? []) edits.set(edit.file, [...(edits.get(edit.file) ?? []), ...edit.entries]);

    const planned: PlannedFile[] = [...output.files];
    for (const [moduleFile, entries] of edits) planned.push(editModule(project, moduleFile, entries));
    assertNothingOverwritten(planned, project.root, `fleet generate ${generator.kind} ${rawName}`);

    const changed = planned.filter((f) => f.action === 'create' || f.content !== f.before);
    if (values['dry-run']) {
      io.stdout.write(describeFiles(changed, project.root, { diff: true }) + 'Dry run: nothing was written.\n');
      return ExitCode.Ok;
    }
    writeFiles(changed);
    io.stdout.write(describeFiles(changed, project.root));
    for (const note of output.notes ?? []) io.stdout.write(`${note}\n`);
    return ExitCode.Ok;
  },
});

function findGenerator(kind: string | undefined): Generator {
  const hint = 'Usage: fleet generate <kind> <name>, e.g. fleet generate service orders. Run "fleet generate --help".';
  if (kind === undefined) {
    const width = Math.max(...KINDS.map((k) => k.length));
    throw usageError(`generate: missing kind, one of ${KINDS.join(', ')}.`, [...GENERATORS.map((g) => `  ${g.kind.padEnd(width)}   ${g.summary}`), hint].join('\n'));
  }
  const found = GENERATORS.find((g) => g.kind === kind);
  if (found) return found;
  const guess = closestMatch(kind, KINDS);
  throw usageError(`generate: unknown kind "${kind}".${guess ? ` Did you mean "${guess}"?` : ''} Kinds: ${KINDS.join(', ')}.`, hint);
}

/** `billing/invoices` -> ['billing', 'invoices']; every segment a plain name, no `..` or absolute path. */
function parseName(name: string | undefined, generator: Generator): string[] {
  const hint = `Example: fleet generate ${generator.kind} orders, or fleet generate ${generator.kind} billing/invoices.`;
  if (name === undefined) throw usageError(`generate ${generator.kind}: missing name.`, hint);
  const segments = name.split(/[\\/]/).filter((s) => s !== '');
  const bad = segments.find((s) => !ELEMENT_NAME.test(s));
  if (segments.length === 0 || bad !== undefined || name.startsWith('/')) {
    throw usageError(`generate ${generator.kind}: "${name}" is not a valid name${bad !== undefined ? ` ("${bad}" must start with a letter, then letters, digits, "-" or "_")` : ''}.`, hint);
  }
  if (words(stripSuffix(segments[segments.length - 1]!, generator.suffix)).length === 0) {
    throw usageError(`generate ${generator.kind}: "${name}" names no ${generator.kind}.`, hint);
  }
  return segments;
}

/** `orders-service` -> `orders` for a service, so the class is not OrdersServiceService. */
function stripSuffix(name: string, suffix: string): string {
  const parts = words(name);
  return parts.length > 1 && parts[parts.length - 1] === suffix ? parts.slice(0, -1).join('-') : name;
}

function editModule(project: Project, moduleFile: string, entries: ModuleEntry[]): PlannedFile {
  let before: string;
  try {
    before = readFileSync(moduleFile, 'utf8');
  } catch (error) {
    throw new CliError('FLEET_ERR_CLI_MODULE_EDIT', `cannot read the module ${show(project, moduleFile)}: ${(error as Error).message}.`, {
      cause: error,
      hint: 'Fix: pass --module <file> with an existing *.module.ts, or --skip-register.',
    });
  }
  const { text } = addToModule(before, show(project, moduleFile), entries);
  return { path: moduleFile, content: text, action: 'update', before };
}

/** A path as the user sees it: relative to the project, or absolute when outside it. */
function show(project: Project, path: string): string {
  const rel = relative(project.root, path);
  return rel === '' || rel.startsWith('..') ? path : rel.split(sep).join('/');
}
