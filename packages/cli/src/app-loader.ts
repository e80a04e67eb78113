import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as core from '@fleet/core';
import type { createApp } from '@fleet/core';
import { CliError } from './errors.js';
import { closestMatch } from './suggest.js';

/** Which flags named the file, for messages that say what to change. */
export interface ExportSource {
  /** Absolute path of the compiled JavaScript file. */
  file: string;
  exportName: string;
  fileFlag: string;
  exportFlag: string;
  /** What the file should be, e.g. "the compiled app module". */
  role: string;
  cwd: string;
}

/** Imports one named export of a compiled JavaScript file, with errors that name the flag to fix. */
export async function importExport(source: ExportSource): Promise<unknown> {
  const shown = relative(source.cwd, source.file) || source.file;
  if (!existsSync(source.file)) {
    throw new CliError('FLEET_ERR_CLI_FILE_NOT_FOUND', `${source.fileFlag}: no file at ${shown} (${source.file}).`, {
      hint: `Fix: build the app first (for example npx tsc -b), or pass ${source.fileFlag} <file> with ${source.role}.`,
    });
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(source.file).href)) as Record<string, unknown>;
  } catch (error) {
    const typescript = ['.ts', '.mts', '.cts'].includes(extname(source.file));
    throw new CliError('FLEET_ERR_CLI_IMPORT_FAILED', `${source.fileFlag}: importing ${shown} threw.`, {
      cause: error,
      hint: typescript
        ? `Fix: fleet loads compiled JavaScript; build the app and pass the .js file (for example under dist/).`
        : `Fix: run "node ${shown}" to see the full error; check that the app is built and its dependencies are installed.`,
    });
  }
  if (!(source.exportName in namespace)) {
    const names = Object.keys(namespace);
    const guess = closestMatch(source.exportName, names);
    throw new CliError('FLEET_ERR_CLI_EXPORT_NOT_FOUND',
      `${shown} has no export named "${source.exportName}".${guess ? ` Did you mean "${guess}"?` : ''} ` +
      `Its exports: ${names.length ? names.join(', ') : '(none)'}.`,
      { hint: `Fix: pass ${source.exportFlag} <name> with the exported name of ${source.role}.` });
  }
  return namespace[source.exportName];
}

/**
 * The `createApp` of the copy of @fleet/core that the app file itself resolves. Fleet keeps
 * decorator metadata per copy of the package, so an app must be booted by the copy that
 * decorated it, which is not the CLI's own copy when fleet is installed globally. When both
 * resolve to the same file, it is imported by name so that tools which alias the package (as
 * the test runner does) still load a single copy.
 */
export async function loadCreateApp(appFile: string): Promise<typeof createApp> {
  return (await loadCore(appFile)).createApp;
}

/** The whole copy of @fleet/core the app file resolves, as `loadCreateApp` picks it (for `describePipeline`, whose marks are per copy too). */
export async function loadCore(appFile: string): Promise<Pick<typeof core, 'createApp' | 'describePipeline'>> {
  const fromApp = resolveFrom(appFile, '@fleet/core');
  const fromCli = resolveFrom(import.meta.url, '@fleet/core');
  return (fromApp && fromApp !== fromCli
    ? await import(pathToFileURL(fromApp).href)
    : await import('@fleet/core')) as Pick<typeof core, 'createApp' | 'describePipeline'>;
}

function resolveFrom(from: string, specifier: string): string | undefined {
  try {
    return createRequire(from).resolve(specifier);
  } catch {
    return undefined;
  }
}
