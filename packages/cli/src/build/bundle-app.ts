import { rm } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, sep } from 'node:path';
import type { Plugin, RolldownMagicString } from 'rolldown';
import { matchesExternal } from './default-externals.js';

/** What `fleet build` bundles, resolved to absolute paths by the command. */
export interface BundleRequest {
  /** Absolute paths of the compiled entry files; each becomes `<out>/<basename>.js`. */
  entries: readonly string[];
  /** Absolute path of the output folder; emptied first. */
  outDir: string;
  /** Package names left to node_modules (`@scope/*` for a scope). */
  externals: readonly string[];
  /** Absolute path of the project: `import.meta.url` in its own modules keeps naming their compiled file. */
  projectDir: string;
}

/** One written file, relative to the output folder. */
export interface BundleFile {
  fileName: string;
  bytes: number;
  kind: 'entry' | 'chunk' | 'map';
}

export interface BundleResult {
  files: BundleFile[];
  /** The external packages the bundle imports (names as written in the code, without subpaths). */
  importedExternals: string[];
  /** Rolldown's warnings, one line each. */
  warnings: string[];
  ms: number;
}

/**
 * @fleet/core's package entry picks its own single-file build or tsc's per-file modules at run
 * time (decision 006), by reading files beside it. Bundled, those files are not there; the app's
 * bundle takes core's tsc entry (dist/index.js) instead, so core is bundled once, tree-shaken,
 * with its lazily loaded subsystems as chunks of the app's bundle.
 */
function fleetCoreSource(): Plugin {
  return {
    name: 'fleet:core-source',
    async resolveId(source, importer, options) {
      if (source !== '@fleet/core') return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved && !resolved.external && /[\\/]dist[\\/]package-entry\.js$/.test(resolved.id)) {
        return { ...resolved, id: resolved.id.replace(/package-entry\.js$/, 'index.js') };
      }
      return resolved;
    },
  };
}

/**
 * The app's own code finds files next to its compiled modules with `import.meta.url` (for
 * example `new URL('../migrations/', import.meta.url)`). Bundled, `import.meta.url` would be the
 * bundle file's; in the project's own modules (not node_modules) it is rewritten to the URL of
 * the compiled file the module came from, relative to the bundle (every output file is directly
 * in the output folder), so such paths find the same files wherever the project folder is.
 */
function importMetaUrlOfSource(projectDir: string, outDir: string, MagicString: new (code: string) => RolldownMagicString): Plugin {
  const ownModule = (id: string) => {
    if (!isAbsolute(id)) return false; // virtual modules (\0rolldown/runtime.js)
    const r = relative(projectDir, id); return r !== '' && !r.startsWith('..') && !r.split(sep).includes('node_modules');
  };
  return {
    name: 'fleet:import-meta-url-of-source',
    transform(code, id) {
      if (!code.includes('import.meta.url') || !ownModule(id)) return null;
      const fromBundle = relative(outDir, id).split(sep).join('/');
      const ms = new MagicString(code);
      ms.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
      return { code: ms };
    },
  };
}

const packageName = (id: string) => id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/');

/**
 * Bundles the entries with rolldown: ES modules for Node, dynamic imports kept as chunks (what
 * the app and core load lazily stays lazy), function and class names kept (DI error chains name
 * the user's classes), a source map per file. Node built-ins and `externals` stay imports.
 */
export async function bundleApp(req: BundleRequest): Promise<BundleResult> {
  const { build, RolldownMagicString } = await import('rolldown');
  const t0 = performance.now();
  const warnings: string[] = [];
  const imported = new Set<string>();
  const isExternal = (id: string) => {
    if (id.startsWith('.') || id.startsWith('/') || id.startsWith('\0') || /^[A-Za-z]:[\\/]/.test(id)) return false;
    if (!req.externals.some((name) => matchesExternal(id, name))) return false;
    imported.add(packageName(id));
    return true;
  };
  await rm(req.outDir, { recursive: true, force: true });
  const input = Object.fromEntries(req.entries.map((file) => [basename(file, extname(file)), file]));
  const output = await build({
    input,
    platform: 'node',
    external: isExternal,
    plugins: [fleetCoreSource(), importMetaUrlOfSource(req.projectDir, req.outDir, RolldownMagicString)],
    treeshake: true,
    logLevel: 'warn',
    onLog(level, log) {
      if (level === 'warn') warnings.push(`${log.code ? `[${log.code}] ` : ''}${log.message.split('\n')[0]}`);
    },
    output: {
      dir: req.outDir,
      format: 'esm',
      entryFileNames: '[name].js',
      // Beside the entries, not in a subfolder: see importMetaUrlOfSource.
      chunkFileNames: '[name]-[hash].js',
      sourcemap: true,
      keepNames: true,
    },
  });
  const files: BundleFile[] = output.output.map((o) => ({
    fileName: o.fileName,
    bytes: Buffer.byteLength(o.type === 'chunk' ? o.code : o.source),
    kind: o.type === 'chunk' ? (o.isEntry ? 'entry' : 'chunk') : 'map',
  }));
  files.sort((a, b) => (a.kind === b.kind ? a.fileName.localeCompare(b.fileName) : a.kind === 'entry' ? -1 : b.kind === 'entry' ? 1 : a.kind === 'chunk' ? -1 : 1));
  return { files, importedExternals: [...imported].sort(), warnings, ms: performance.now() - t0 };
}

/** The output path of an entry file, for messages: `<out>/<basename>.js`. */
export function bundledEntry(outDir: string, entry: string): string {
  return join(outDir, `${basename(entry, extname(entry))}.js`);
}
