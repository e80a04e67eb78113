import { resolve } from 'node:path';
import type { ConfigClass, FleetApp } from '@fleet/core';
import { loadCore, importExport } from '../app-loader.js';
import { ExitCode, defineCommand } from '../command.js';
import { formatError } from '../report-error.js';
import { formatRouteTable, routeRows } from '../route-table.js';

/**
 * Boots the app with createApp (providers are built and onInit hooks run, as at startup) but
 * never listens, prints its compiled routes, then closes it. Config is read from the
 * environment as usual.
 */
export const routesCommand = defineCommand({
  name: 'routes',
  aliases: [],
  summary: 'Print the routes of the app (method, path, handler, decorators applied) without starting the server',
  flags: {
    module: { type: 'string', valueName: 'file', default: 'dist/app.module.js', description: 'Compiled app module to load, relative to the current directory' },
    export: { type: 'string', valueName: 'name', default: 'AppModule', description: 'Export of --module that is the root module' },
    config: { type: 'string', valueName: 'file', description: 'Compiled file exporting the config class your main passes to createApp({ config })' },
    'config-export': { type: 'string', valueName: 'name', default: 'AppConfig', description: 'Export of --config that is the config class' },
    json: { type: 'boolean', description: 'Print JSON ([{ method, path, handler, decorators }]) instead of a table' },
  },
  async run({ values }, io) {
    const moduleFile = resolve(io.cwd, values.module);
    const rootModule = await importExport({
      file: moduleFile, exportName: values.export, fileFlag: '--module', exportFlag: '--export', role: 'the compiled app module', cwd: io.cwd,
    });
    const config = values.config === undefined ? undefined : await importExport({
      file: resolve(io.cwd, values.config), exportName: values['config-export'], fileFlag: '--config', exportFlag: '--config-export',
      role: 'the compiled config class', cwd: io.cwd,
    });
    const { createApp, describePipeline } = await loadCore(moduleFile);

    // The controllers' instances, by class name, to read the decorator pipeline compiled on each handler.
    const instances = new Map<string, object>();
    const instrument = (instance: object) => { instances.set((instance.constructor as Function).name, instance); };
    let app: FleetApp;
    try {
      app = await createApp(rootModule, { logger: false, instrument, ...(config ? { config: config as ConfigClass } : {}) });
    } catch (error) {
      io.stderr.write(formatError('fleet routes', error));
      const code = (error as { code?: unknown } | null)?.code;
      if (values.config === undefined && (code === 'FLEET_ERR_DI_MISSING_PROVIDER' || code === 'FLEET_ERR_BOOT_FAILED')) {
        io.stderr.write('Hint: if the missing provider is the config class your main passes to createApp({ config }), ' +
          'pass it here too: --config <file> (for example --config dist/config.js).\n');
      }
      return ExitCode.Failure;
    }

    try {
      const rows = routeRows(app.routes, (controller, handler) => {
        const instance = instances.get(controller);
        return (instance && describePipeline(instance, handler)?.filter((stage) => stage !== 'method')) ?? [];
      });
      if (values.json) io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else io.stdout.write(rows.length ? formatRouteTable(rows) : `No routes: ${values.export} has no controllers with routes.\n`);
    } finally {
      await app.close();
    }
    return ExitCode.Ok;
  },
});
