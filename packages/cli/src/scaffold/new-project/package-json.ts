import type { NewProjectOptions } from './options.js';

/**
 * Versions of the third-party packages a new project uses: the ranges the Fleet packages are
 * built and tested with (vitest 4 on vite 8 compiles TypeScript with the decorator metadata
 * Fleet's injection reads).
 */
export const DEPENDENCY_VERSIONS = {
  zod: '^4.6.7',
  typescript: '^5.9.3',
  vitest: '^4.1.12',
  vite: '^8.3.8',
  '@types/node': '^20.19.43',
} as const;

/** package.json: scripts dev/build/start/test, @fleet/* from the checkout (file:) or the registry. */
export function packageJson(options: NewProjectOptions): string {
  const fleet = (pkg: 'core' | 'testing' | 'cli') => (options.link ? `file:${options.link[pkg]}` : options.fleetRange);
  const pkg: Record<string, unknown> = {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: {
      dev: 'node scripts/dev.mjs',
      build: 'tsc -p tsconfig.build.json',
      start: 'node dist/main.js',
      test: 'tsc -p tsconfig.json && vitest run',
    },
    dependencies: {
      '@fleet/core': fleet('core'),
      zod: DEPENDENCY_VERSIONS.zod,
    },
    devDependencies: {
      '@fleet/cli': fleet('cli'),
      '@fleet/testing': fleet('testing'),
      '@types/node': DEPENDENCY_VERSIONS['@types/node'],
      typescript: DEPENDENCY_VERSIONS.typescript,
      vite: DEPENDENCY_VERSIONS.vite,
      vitest: DEPENDENCY_VERSIONS.vitest,
    },
  };
  // One copy of @fleet/core in the tree: decorator metadata lives in the copy that decorated a class,
  // so @fleet/testing and @fleet/cli must load the app's copy, not one of their own.
  if (options.link) {
    if (options.packageManager === 'npm') pkg.overrides = { '@fleet/core': '$@fleet/core' };
    if (options.packageManager === 'pnpm') pkg.pnpm = { overrides: { '@fleet/core': fleet('core') } };
    if (options.packageManager === 'yarn') pkg.resolutions = { '@fleet/core': fleet('core') };
  }
  return JSON.stringify(pkg, null, 2) + '\n';
}

/**
 * .npmrc of a linked project: npm installs a `file:` folder as a copy packed from it (its `dist`)
 * with its dependencies deduplicated into the project, instead of a symlink whose imports would
 * resolve into the checkout's own node_modules (a second zod, a second fastify).
 */
export function npmrc(): string {
  return '# @fleet/* come from a local checkout (file:): install them as packed copies, not symlinks.\ninstall-links=true\n';
}
