import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** The app's sources, parsed, with a type checker to resolve what each name refers to. */
export interface LoadedApp {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The audited files (under --dir, without tests and declarations), sorted by path. */
  sources: readonly ts.SourceFile[];
  /** A file's path as reports show it: relative to the working directory, with `/`. */
  shown(file: ts.SourceFile | string): string;
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage']);
const SOURCE = /\.(ts|mts|cts)$/;
const NOT_AUDITED = /(\.d\.(ts|mts|cts)|\.(test|spec)\.(ts|mts|cts))$/;

/** Every TypeScript source under `dir`, skipping tests, declarations, dependencies and build output. */
export function listSources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(d, entry.name);
      if (entry.isDirectory()) { if (!SKIPPED_DIRS.has(entry.name)) walk(path); continue; }
      if (entry.isFile() && SOURCE.test(entry.name) && !NOT_AUDITED.test(entry.name)) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Builds one program over the sources. Compiler options come from the nearest tsconfig.json
 * (as tsc would find it), so imports resolve as they do for the app; imports that do not
 * resolve (dependencies not installed) still name their module, which is what most rules need.
 */
export function loadApp(dir: string, cwd: string): LoadedApp {
  const files = listSources(dir);
  const program = ts.createProgram({ rootNames: files, options: compilerOptions(dir) });
  const wanted = new Set(files.map((f) => ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()));
  const sources = program.getSourceFiles()
    .filter((sf) => wanted.has(ts.sys.useCaseSensitiveFileNames ? sf.fileName : sf.fileName.toLowerCase()))
    .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  return {
    program,
    checker: program.getTypeChecker(),
    sources,
    shown: (file) => relative(cwd, typeof file === 'string' ? file : file.fileName).split(sep).join('/'),
  };
}

const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  experimentalDecorators: true,
  lib: ['lib.es2023.d.ts'],
};

function compilerOptions(dir: string): ts.CompilerOptions {
  let options = DEFAULT_OPTIONS;
  const configFile = ts.findConfigFile(dir, ts.sys.fileExists);
  if (configFile && existsSync(configFile) && statSync(configFile).isFile()) {
    const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
    const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, host);
    // "No inputs were found" (TS18003) is about the config's own include list, not its options.
    if (parsed && parsed.errors.every((e) => e.code === 18003)) options = parsed.options;
    else options = { ...DEFAULT_OPTIONS, baseUrl: dirname(configFile) };
  }
  // Only reading: nothing is emitted, and the app's own libraries are not type-checked.
  return {
    ...options,
    noEmit: true, composite: false, incremental: false, declaration: false, declarationMap: false,
    sourceMap: false, skipLibCheck: true, noUnusedLocals: false, noUnusedParameters: false, tsBuildInfoFile: undefined,
  };
}
