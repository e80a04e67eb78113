import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ExitCode, defineCommand } from '../command.js';
import { formatReport, runDoctor } from '../doctor/index.js';
import { listSources } from '../doctor/load-program.js';
import { usageError } from '../errors.js';

/**
 * A static audit of the app's TypeScript sources for what breaks a fleet of stateless
 * instances, with file:line and the fix for each finding, and the horizontal-scaling
 * checklist. Nothing is built or booted. Exits 1 when anything fails, so CI can gate on it.
 */
export const doctorCommand = defineCommand({
  name: 'doctor',
  aliases: [],
  summary: 'Audit the app\'s source for in-memory state, local files, in-process timers, unpooled connections; print the scaling checklist',
  flags: {
    dir: { type: 'string', valueName: 'dir', default: 'src', description: 'Directory of the TypeScript sources to audit, relative to the current directory' },
    json: { type: 'boolean', description: 'Print the report as JSON ({ findings, checklist, summary })' },
  },
  async run({ values }, io) {
    const dir = resolve(io.cwd, values.dir);
    const hint = 'Run fleet doctor from the app\'s folder, or pass --dir <dir> with its TypeScript sources.';
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw usageError(`--dir: no directory at ${values.dir} (${dir}).`, hint);
    if (listSources(dir).length === 0) throw usageError(`--dir: no TypeScript sources under ${values.dir} (test and declaration files are skipped).`, hint);

    const report = runDoctor({ dir, cwd: io.cwd });
    io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, relative(io.cwd, dir) || '.'));
    return report.summary.ok ? ExitCode.Ok : ExitCode.Failure;
  },
});
