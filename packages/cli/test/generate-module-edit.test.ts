import { describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';
import { addToModule, type ModuleEntry } from '../src/scaffold/module-edit.js';

const service: ModuleEntry = { list: 'providers', expression: 'OrdersService', name: 'OrdersService', from: './orders/orders.service.js' };
const controller: ModuleEntry = { list: 'controllers', expression: 'OrdersController', name: 'OrdersController', from: './orders/orders.controller.js' };
const feature: ModuleEntry = { list: 'imports', expression: 'OrdersModule', name: 'OrdersModule', from: './orders/orders.module.js' };
const database: ModuleEntry = {
  list: 'imports', name: 'DatabaseModule', from: '@fleet/core',
  expression: "DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('../migrations/', import.meta.url) } })",
};

const edit = (source: string, ...entries: ModuleEntry[]) => addToModule(source, 'src/app.module.ts', entries).text;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CliError ? `${error.code}: ${error.message}` : `not a CliError: ${String(error)}`;
  }
  return undefined;
}

describe('addToModule: a module that already has entries', () => {
  it('appends to a one-line list and adds the import after the last one', () => {
    const source = [
      "import { Module } from '@fleet/core';",
      "import { HelloModule } from './hello/hello.module.js';",
      '',
      '/** The root module. */',
      '@Module({ imports: [HelloModule], providers: [AppConfig] })',
      'export class AppModule {}',
      '',
    ].join('\n');
    expect(edit(source, service)).toBe([
      "import { Module } from '@fleet/core';",
      "import { HelloModule } from './hello/hello.module.js';",
      "import { OrdersService } from './orders/orders.service.js';",
      '',
      '/** The root module. */',
      '@Module({ imports: [HelloModule], providers: [AppConfig, OrdersService] })',
      'export class AppModule {}',
      '',
    ].join('\n'));
  });

  it('keeps one entry per line, the indent and the trailing comma of a multi-line list', () => {
    const source = [
      "import { Module } from '@fleet/core';",
      '',
      '@Module({',
      '  imports: [',
      '    RedisModule,',
      '    HelloModule, // greetings',
      '  ],',
      '  providers: [',
      '    AppConfig',
      '  ],',
      '})',
      'export class AppModule {}',
    ].join('\n');
    expect(edit(source, feature, service)).toBe([
      "import { Module } from '@fleet/core';",
      "import { OrdersModule } from './orders/orders.module.js';",
      "import { OrdersService } from './orders/orders.service.js';",
      '',
      '@Module({',
      '  imports: [',
      '    RedisModule,',
      '    HelloModule, // greetings',
      '    OrdersModule,',
      '  ],',
      '  providers: [',
      '    AppConfig,',
      '    OrdersService',
      '  ],',
      '})',
      'export class AppModule {}',
    ].join('\n'));
  });

  it('keeps a comment after the last entry on its line', () => {
    const source = "@Module({\n  providers: [\n    AppConfig // from the environment\n  ],\n})\nexport class AppModule {}\n";
    expect(edit(source, service)).toContain('  providers: [\n    AppConfig, // from the environment\n    OrdersService\n  ],');
  });

  it('adds a missing list as a new property, on its own line in a multi-line object', () => {
    const source = "import { Module } from '@fleet/core';\n\n@Module({\n  imports: [HelloModule],\n})\nexport class AppModule {}\n";
    expect(edit(source, controller)).toBe(
      "import { Module } from '@fleet/core';\nimport { OrdersController } from './orders/orders.controller.js';\n\n" +
      '@Module({\n  imports: [HelloModule],\n  controllers: [OrdersController],\n})\nexport class AppModule {}\n');
    const oneLine = "import { Module } from '@fleet/core';\n@Module({ imports: [HelloModule] })\nexport class AppModule {}\n";
    expect(edit(oneLine, controller, service)).toContain('@Module({ imports: [HelloModule], controllers: [OrdersController], providers: [OrdersService] })');
  });

  it('merges a new name into an existing import of the same module', () => {
    const source = "import { Module, RedisModule } from '@fleet/core';\n\n@Module({ imports: [RedisModule] })\nexport class AppModule {}\n";
    expect(edit(source, database)).toBe(
      "import { Module, RedisModule, DatabaseModule } from '@fleet/core';\n\n" +
      "@Module({ imports: [RedisModule, DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('../migrations/', import.meta.url) } })] })\n" +
      'export class AppModule {}\n');
  });

  it('leaves an entry that is already listed (by name, or a call on it) as it is', () => {
    const source = "import { DatabaseModule, Module } from '@fleet/core';\nimport { OrdersService } from './orders/orders.service.js';\n" +
      '@Module({ imports: [DatabaseModule.forRoot()], providers: [OrdersService] })\nexport class AppModule {}\n';
    const result = addToModule(source, 'src/app.module.ts', [service, database]);
    expect(result.text).toBe(source);
    expect(result.alreadyListed).toEqual([service, database]);
    expect(result.moduleClass).toBe('AppModule');
  });

  it('follows the file\'s quotes and semicolons', () => {
    const source = 'import { Module } from "@fleet/core"\nimport { A } from "./a.js"\n\n@Module({ providers: [A] })\nexport class AppModule {}\n';
    expect(edit(source, service)).toBe(
      'import { Module } from "@fleet/core"\nimport { A } from "./a.js"\nimport { OrdersService } from "./orders/orders.service.js"\n\n' +
      '@Module({ providers: [A, OrdersService] })\nexport class AppModule {}\n');
  });
});

describe('addToModule: a module with no entries', () => {
  it('fills @Module({}) and @Module()', () => {
    const empty = "import { Module } from '@fleet/core';\n\n@Module({})\nexport class OrdersModule {}\n";
    expect(edit(empty, controller)).toContain('@Module({ controllers: [OrdersController] })');
    const noArgs = "import { Module } from '@fleet/core';\n\n@Module()\nexport class OrdersModule {}\n";
    expect(edit(noArgs, controller, service)).toContain('@Module({ controllers: [OrdersController], providers: [OrdersService] })');
    const emptyList = "import { Module } from '@fleet/core';\n\n@Module({ providers: [] })\nexport class OrdersModule {}\n";
    expect(edit(emptyList, service)).toContain('@Module({ providers: [OrdersService] })');
  });

  it('adds the first import at the top of a file that has none', () => {
    const source = '// no imports yet\n@Module({})\nexport class OrdersModule {}\n';
    expect(edit(source, service)).toBe("import { OrdersService } from './orders/orders.service.js';\n\n// no imports yet\n@Module({ providers: [OrdersService] })\nexport class OrdersModule {}\n");
  });
});

describe('addToModule: refuses what it cannot edit safely', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a list held in a variable', "const PROVIDERS = [A];\n@Module({ providers: PROVIDERS })\nexport class AppModule {}\n", /its "providers" is not an array literal \(PROVIDERS\)/],
    ['a shorthand property', 'const providers = [A];\n@Module({ providers })\nexport class AppModule {}\n', /shorthand property/],
    ['a missing list next to a spread', 'const base = {};\n@Module({ ...base })\nexport class AppModule {}\n', /spreads another object/],
    ['metadata that is not an object literal', 'const meta = {};\n@Module(meta)\nexport class AppModule {}\n', /not an object literal/],
    ['no @Module class', 'export class AppModule {}\n', /has no class decorated with @Module/],
    ['two @Module classes', '@Module({})\nexport class A {}\n@Module({})\nexport class B {}\n', /has 2 @Module classes \(A, B\)/],
    ['a syntax error', '@Module({ providers: [A }\nexport class AppModule {}\n', /does not parse \(line 1/],
    ['a name imported from elsewhere', "import { OrdersService } from './legacy.js';\n@Module({})\nexport class AppModule {}\n", /already imports a "OrdersService" from '\.\/legacy\.js'/],
  ];
  it.each(cases)('%s', (_what, source, message) => {
    const result = codeOf(() => addToModule(source, 'src/app.module.ts', [service]));
    expect(result).toMatch(/^FLEET_ERR_CLI_MODULE_EDIT: /);
    expect(result).toMatch(message);
  });
});
