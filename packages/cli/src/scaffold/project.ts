import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { CliError } from '../errors.js';

/** A Fleet project on disk, as `fleet new` lays it out. */
export interface Project {
  /** The folder of its package.json. */
  root: string;
  /** `<root>/src`. */
  sourceRoot: string;
}

/** The nearest folder, from `cwd` up, with a package.json and a src/ folder. */
export function findProject(cwd: string): Project {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && isDirectory(join(dir, 'src'))) return { root: dir, sourceRoot: join(dir, 'src') };
    if (dirname(dir) === dir) break;
  }
  throw new CliError('FLEET_ERR_CLI_NOT_A_PROJECT', `no project here: found no package.json beside a src/ folder in ${cwd} or any folder above it.`, {
    hint: 'Fix: run fleet generate inside a project made by "fleet new <name>".',
  });
}

/**
 * The module a class in `dir` belongs to: the `*.module.ts` of `dir`, else of its parent, up to
 * the source root. In a folder with several modules, the one named after the folder wins.
 * `exclude` is a module file being created (a new module registers in the module above it).
 */
export function nearestModule(project: Project, dir: string, exclude?: string): string | undefined {
  for (let current = dir; isInside(project.sourceRoot, current); current = dirname(current)) {
    if (!isDirectory(current)) continue;
    const modules = readdirSync(current).filter((f) => f.endsWith('.module.ts')).map((f) => join(current, f)).filter((f) => f !== exclude);
    if (modules.length === 1) return modules[0];
    if (modules.length > 1) {
      const named = modules.find((m) => basename(m) === `${basename(current)}.module.ts`);
      if (named) return named;
      throw new CliError('FLEET_ERR_CLI_MODULE_EDIT', `${relative(project.root, current) || '.'} has ${modules.length} modules (${modules.map((m) => basename(m)).join(', ')}); which one should register the new class?`, {
        hint: 'Fix: pass --module <file> with the module to register it in.',
      });
    }
    if (current === project.sourceRoot) break;
  }
  return undefined;
}

/** `src/app.module.ts`, the module `main.ts` boots. */
export function rootModule(project: Project): string | undefined {
  const file = join(project.sourceRoot, 'app.module.ts');
  return existsSync(file) ? file : undefined;
}

/** Whether any source file of the project imports `name` from `from` (e.g. DatabaseModule from @fleet/core). */
export function projectImports(project: Project, name: string, from: string): boolean {
  const pattern = new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*['"]${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`);
  return sourceFiles(project.sourceRoot).some((f) => pattern.test(readFileSync(f, 'utf8')));
}

/** `path` relative to the project root, with forward slashes (for messages and generated comments). */
export function projectPath(project: Project, path: string): string {
  return relative(project.root, path).split(sep).join('/');
}

/** The import specifier of `file` as seen from `fromFile`, with the `.js` extension NodeNext wants. */
export function importPath(fromFile: string, file: string): string {
  const path = relative(dirname(fromFile), file).split(sep).join('/').replace(/\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}
