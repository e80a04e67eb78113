import { openJobsAdmin, type FailedJob, type JobStatus, type JobsAdmin, type ScheduleInfo } from '@fleet/core';
import { ExitCode, defineCommand, type CliIo } from '../command.js';
import { usageError } from '../errors.js';
import { formatError } from '../report-error.js';

const SUBCOMMANDS = ['failed', 'retry', 'status', 'schedules'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/**
 * The app's jobs from the command line, without booting the app: it reads REDIS_URL,
 * REDIS_KEY_PREFIX and FLEET_APP as the app does, and finds the app's queues in Redis.
 */
export const jobsCommand = defineCommand({
  name: 'jobs',
  aliases: [],
  summary: 'Inspect the app\'s jobs: failed list, retry a failed job, status of a job, schedules',
  args: [
    { name: 'failed | retry | status | schedules', description: 'failed: jobs that failed their last attempt; retry <id>: run a failed job again; status <id>: where a job is; schedules: the @Scheduled job schedulers' },
    { name: 'id', description: 'The job id (retry, status)' },
  ],
  flags: {
    queue: { type: 'string', valueName: 'name', description: 'Only this queue (failed)' },
    limit: { type: 'string', valueName: 'n', default: '50', description: 'At most this many jobs (failed)' },
    json: { type: 'boolean', description: 'Print JSON instead of text' },
  },
  async run({ values, positionals }, io) {
    const [sub, id] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
      throw usageError(sub ? `jobs: unknown subcommand "${sub}".` : 'jobs: missing subcommand.', 'Use "fleet jobs failed", "fleet jobs retry <id>", "fleet jobs status <id>" or "fleet jobs schedules".');
    }
    if ((sub === 'retry' || sub === 'status') && !id) throw usageError(`jobs ${sub}: missing job id.`, `Use "fleet jobs ${sub} <id>" (ids are listed by "fleet jobs failed").`);
    if (sub !== 'retry' && sub !== 'status' && id) throw usageError(`jobs ${sub}: unexpected argument "${id}".`, `"fleet jobs ${sub}" takes no id.`);
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit: ${JSON.stringify(values.limit)} is not a positive integer.`, 'Pass e.g. --limit 20.');

    let admin: JobsAdmin | undefined;
    try {
      admin = await openJobsAdmin(process.env);
      return await subcommands[sub as Subcommand](admin, { id: id ?? '', queue: values.queue, limit, json: values.json === true }, io);
    } catch (error) {
      io.stderr.write(formatError(`fleet jobs ${sub}`, error));
      return ExitCode.Failure;
    } finally {
      await admin?.close();
    }
  },
});

interface Input { id: string; queue: string | undefined; limit: number; json: boolean }

const subcommands: Record<Subcommand, (admin: JobsAdmin, input: Input, io: CliIo) => Promise<ExitCode>> = {
  async failed(admin, { queue, limit, json }, io) {
    const jobs = await admin.failed({ ...(queue ? { queue } : {}), limit });
    if (json) io.stdout.write(JSON.stringify(jobs, null, 2) + '\n');
    else io.stdout.write(jobs.length ? failedTable(jobs) : `No failed jobs${queue ? ` in queue ${queue}` : ''} (queues: ${(await admin.queues()).join(', ') || 'none yet'}).\n`);
    return ExitCode.Ok;
  },
  async retry(admin, { id, json }, io) {
    const status = await admin.retry(id);
    io.stdout.write(json ? JSON.stringify(status, null, 2) + '\n' : `Retrying job ${status.id} (${status.name}, queue ${status.queue}): ${status.state}, ${status.attempts} attempt(s).\n`);
    return ExitCode.Ok;
  },
  async status(admin, { id, json }, io) {
    const status = await admin.status(id);
    if (!status) {
      io.stderr.write(`fleet jobs status: no job has the id '${id}' in the queues of this app (${(await admin.queues()).join(', ') || 'none yet'}).\n`);
      return ExitCode.Failure;
    }
    io.stdout.write(json ? JSON.stringify(status, null, 2) + '\n' : statusText(status));
    return ExitCode.Ok;
  },
  async schedules(admin, { json }, io) {
    const schedules = await admin.schedules();
    if (json) io.stdout.write(JSON.stringify(schedules, null, 2) + '\n');
    else io.stdout.write(schedules.length ? schedulesTable(schedules) : 'No schedules.\n');
    return ExitCode.Ok;
  },
};

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '-');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function failedTable(jobs: FailedJob[]): string {
  const oneLine = (s: string) => (s.length > 100 ? `${s.slice(0, 97)}...` : s).replace(/\s+/g, ' ');
  return table([['ID', 'NAME', 'QUEUE', 'ATTEMPTS', 'FAILED AT', 'ERROR'],
    ...jobs.map((j) => [j.id, j.name, j.queue, String(j.attemptsMade), iso(j.failedAt), oneLine(j.failedReason)])]);
}

function statusText(s: JobStatus): string {
  const lines = [
    `id:        ${s.id}`, `name:      ${s.name}`, `queue:     ${s.queue}`, `state:     ${s.state}${s.delayed ? ' (delayed)' : ''}`,
    `attempts:  ${s.attemptsMade} of ${s.attempts}`, `progress:  ${JSON.stringify(s.progress)}`,
    `enqueued:  ${iso(s.enqueuedAt)}`, `started:   ${iso(s.startedAt)}`, `finished:  ${iso(s.finishedAt)}`,
  ];
  if (s.failedReason) lines.push(`error:     ${s.failedReason}`);
  return lines.join('\n') + '\n';
}

function schedulesTable(schedules: ScheduleInfo[]): string {
  return table([['NAME', 'QUEUE', 'SCHEDULE', 'NEXT'],
    ...schedules.map((s) => [s.name, s.queue, s.pattern ? `${s.pattern}${s.tz ? ` (${s.tz})` : ''}` : `every ${s.every} ms`, iso(s.next)])]);
}
