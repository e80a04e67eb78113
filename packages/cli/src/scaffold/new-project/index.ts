import { join } from 'node:path';
import type { PlannedFile } from '../file-plan.js';
import { repositoryGenerator } from '../generators/repository.js';
import { names } from '../names.js';
import { composeYaml, primaryInitScript, replicaScript } from './compose.js';
import { devScript, envExample, gitignore, tsconfig, tsconfigBuild, vitestConfig } from './config-files.js';
import type { NewProjectOptions } from './options.js';
import { npmrc, packageJson } from './package-json.js';
import { readme } from './readme.js';
import {
  appModuleTs, configTs, helloControllerTs, helloHttpTestTs, helloModuleTs, helloServiceTestTs, helloServiceTs, mainTs,
} from './source-files.js';

export { FEATURES, PACKAGE_MANAGERS, execBin, runScript, type Feature, type FleetCheckout, type NewProjectOptions, type PackageManager } from './options.js';

/** Every file of a new project, in memory; nothing is read from or written to disk. */
export function projectFiles(options: NewProjectOptions): PlannedFile[] {
  const at = (path: string, content: string): PlannedFile => ({ path: join(options.directory, path), content, action: 'create' });
  const files = [
    at('package.json', packageJson(options)),
    ...(options.link && options.packageManager === 'npm' ? [at('.npmrc', npmrc())] : []),
    at('tsconfig.json', tsconfig()),
    at('tsconfig.build.json', tsconfigBuild()),
    at('vitest.config.ts', vitestConfig()),
    at('.gitignore', gitignore()),
    at('.env.example', envExample(options)),
    at('README.md', readme(options)),
    at('compose.yaml', composeYaml()),
    at('docker/postgres-primary-init.sh', primaryInitScript()),
    at('docker/postgres-replica.sh', replicaScript()),
    at('scripts/dev.mjs', devScript()),
    at('src/main.ts', mainTs(options)),
    at('src/app.module.ts', appModuleTs(options)),
    at('src/config.ts', configTs()),
    at('src/hello/hello.module.ts', helloModuleTs()),
    at('src/hello/hello.controller.ts', helloControllerTs(options)),
    at('src/hello/hello.service.ts', helloServiceTs()),
    at('src/hello/hello.service.test.ts', helloServiceTestTs()),
    at('test/hello.test.ts', helloHttpTestTs(options)),
  ];
  if (options.features.includes('database')) {
    // The sample repository is exactly what `fleet generate repository notes` writes; the root
    // module above already imports DatabaseModule and lists it.
    const project = { root: options.directory, sourceRoot: join(options.directory, 'src') };
    const dir = join(project.sourceRoot, 'notes');
    files.push(...repositoryGenerator.generate({
      project, names: names('notes'), dir, className: 'NotesRepository', file: join(dir, 'notes.repository.ts'),
    }).files);
  }
  return files;
}
