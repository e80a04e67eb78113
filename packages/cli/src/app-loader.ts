import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as core from '@fleet/core';
import type { ConfigClass, FleetApp, createApp } from '@fleet/core';
import { CliError } from './errors.js';
import { formatError } from './report-error.js';
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

/** The flags of every command that boots an app from its compiled module (`routes`, `openapi`). */
export const APP_FLAGS = {
  module: { type: 'string', valueName: 'file', default: 'dist/app.module.js', description: 'Compiled app module to load, relative to the current directory' },
  export: { type: 'string', valueName: 'name', default: 'AppModule', description: 'Export of --module that is the root module' },
  config: { type: 'string', valueName: 'file', description: 'Compiled file exporting the config class your main passes to createApp({ config })' },
  'config-export': { type: 'string', valueName: 'name', default: 'AppConfig', description: 'Export of --config that is the config class' },
} as const;

export interface BootRequest {
  /** `fleet <command>`, the prefix of error lines. */
  command: string;
  values: { module: string; export: string; config?: string; 'config-export': string };
  io: { cwd: string; stderr: { write(chunk: string): unknown } };
  /** createApp options besides logger and config. */
  options?: Record<string, unknown>;
}

/**
 * Loads the app's compiled module (and config class) and boots it with its own copy of
 * @fleet/core, never listening. A boot failure is printed (with the --config hint when a
 * provider is missing) and gives undefined; the caller closes the app it gets.
 */
export async function bootAppModule(req: BootRequest): Promise<{ app: FleetApp; core: Pick<typeof core, 'createApp' | 'describePipeline'> } | undefined> {
  const { values, io } = req;
  const moduleFile = resolve(io.cwd, values.module);
  const rootModule = await importExport({
    file: moduleFile, exportName: values.export, fileFlag: '--module', exportFlag: '--export', role: 'the compiled app module', cwd: io.cwd,
  });
  const config = values.config === undefined ? undefined : await importExport({
    file: resolve(io.cwd, values.config), exportName: values['config-export'], fileFlag: '--config', exportFlag: '--config-export',
    role: 'the compiled config class', cwd: io.cwd,
  });
  const loaded = await loadCore(moduleFile);
  try {
    const app = await loaded.createApp(rootModule, { logger: false, ...req.options, ...(config ? { config: config as ConfigClass } : {}) });
    return { app, core: loaded };
  } catch (error) {
    io.stderr.write(formatError(req.command, error));
    const code = (error as { code?: unknown } | null)?.code;
    if (values.config === undefined && (code === 'FLEET_ERR_DI_MISSING_PROVIDER' || code === 'FLEET_ERR_BOOT_FAILED')) {
      io.stderr.write('Hint: if the missing provider is the config class your main passes to createApp({ config }), ' +
        'pass it here too: --config <file> (for example --config dist/config.js).\n');
    }
    return undefined;
  }
}
