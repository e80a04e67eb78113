import { APP_FLAGS, bootAppModule } from '../app-loader.js';
import { ExitCode, defineCommand } from '../command.js';
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
    ...APP_FLAGS,
    json: { type: 'boolean', description: 'Print JSON ([{ method, path, handler, decorators }]) instead of a table' },
  },
  async run({ values }, io) {
    // The controllers' instances, by class name, to read the decorator pipeline compiled on each handler.
    const instances = new Map<string, object>();
    const instrument = (instance: object) => { instances.set((instance.constructor as Function).name, instance); };
    const booted = await bootAppModule({ command: 'fleet routes', values, io, options: { instrument } });
    if (!booted) return ExitCode.Failure;
    const { app, core } = booted;

    try {
      const rows = routeRows(app.routes, (controller, handler) => {
        const instance = instances.get(controller);
        return (instance && core.describePipeline(instance, handler)?.filter((stage) => stage !== 'method')) ?? [];
      });
      if (values.json) io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else io.stdout.write(rows.length ? formatRouteTable(rows) : `No routes: ${values.export} has no controllers with routes.\n`);
    } finally {
      await app.close();
    }
    return ExitCode.Ok;
  },
});
