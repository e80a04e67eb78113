import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { OpenApiDocument, OpenApiOptions } from '@fleet/core';
import { APP_FLAGS, bootAppModule, importExport } from '../app-loader.js';
import { ExitCode, defineCommand, type CliIo } from '../command.js';
import { usageError } from '../errors.js';
import { formatError } from '../report-error.js';

/**
 * Boots the app as `fleet routes` does (providers built, onInit hooks run, never listening),
 * asks it for its OpenAPI document, and prints or writes it. The document is the one the app
 * serves: same routes, same schemas, same order, so it can be committed and diffed; `--check`
 * fails when the committed file is stale.
 */
export const openapiCommand = defineCommand({
  name: 'openapi',
  aliases: [],
  summary: 'Write the OpenAPI 3.1 document of the app (for CI and client generation) without starting the server',
  flags: {
    out: { type: 'string', valueName: 'file', description: 'Write the document to this file instead of printing it' },
    check: { type: 'boolean', description: 'With --out: write nothing, exit 1 if the file differs from the current document' },
    ...APP_FLAGS,
    options: { type: 'string', valueName: 'file', description: 'Compiled file exporting the OpenApiOptions your main passes to createApp({ openapi })' },
    'options-export': { type: 'string', valueName: 'name', default: 'openApiOptions', description: 'Export of --options that is the options object' },
  },
  async run({ values }, io) {
    if (values.check && values.out === undefined) throw usageError('--check needs --out <file>: the file to compare.', 'Use "fleet openapi --out openapi.json --check".');
    const options = values.options === undefined ? undefined : await importExport({
      file: resolve(io.cwd, values.options), exportName: values['options-export'], fileFlag: '--options', exportFlag: '--options-export',
      role: 'the compiled OpenApiOptions object', cwd: io.cwd,
    }) as OpenApiOptions;
    // Never served from here: only generated.
    const booted = await bootAppModule({ command: 'fleet openapi', values, io, options: { openapi: { ...options, serve: false, ui: false } } });
    if (!booted) return ExitCode.Failure;
    const { app } = booted;
    let document: OpenApiDocument;
    try {
      document = await app.openapi();
    } catch (error) {
      io.stderr.write(formatError('fleet openapi', error));
      return ExitCode.Failure;
    } finally {
      await app.close();
    }

    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (values.out === undefined) {
      io.stdout.write(text);
      return ExitCode.Ok;
    }
    const file = resolve(io.cwd, values.out);
    const shown = relative(io.cwd, file) || file;
    return values.check ? check(file, shown, text, io) : write(file, shown, text, document, io);
  },
});

async function write(file: string, shown: string, text: string, document: OpenApiDocument, io: CliIo): Promise<ExitCode> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  } catch (error) {
    io.stderr.write(`fleet openapi: cannot write ${shown}: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const operations = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  io.stdout.write(`Wrote ${shown}: ${operations} operations, ${Object.keys(document.components.schemas).length} schemas.\n`);
  return ExitCode.Ok;
}

async function check(file: string, shown: string, text: string, io: CliIo): Promise<ExitCode> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) {
    io.stdout.write(`${shown} is up to date.\n`);
    return ExitCode.Ok;
  }
  io.stderr.write(`fleet openapi: ${shown} ${current === undefined ? 'does not exist' : 'is not the current document'}. ` +
    `Fix: run "fleet openapi --out ${shown}" and commit the file.\n`);
  return ExitCode.Failure;
}
