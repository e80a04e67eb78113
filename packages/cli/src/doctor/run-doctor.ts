import ts from 'typescript';
import { collectFacts } from './app-facts.js';
import { checklist } from './checklist.js';
import { CodeContexts } from './contexts.js';
import { loadApp } from './load-program.js';
import { RULES, type DoctorReport, type Finding, type RuleId } from './report.js';
import { createRuleContext, type Rule } from './rule-context.js';
import { classState } from './rules/class-state.js';
import { databaseClients } from './rules/database-clients.js';
import { diskWrites } from './rules/disk-writes.js';
import { externalCalls } from './rules/external-calls.js';
import { heavyWork } from './rules/heavy-work.js';
import { moduleState } from './rules/module-state.js';
import { timers } from './rules/timers.js';

export interface DoctorOptions {
  /** Absolute path of the directory whose sources are audited. */
  dir: string;
  /** Paths in the report are relative to this directory. */
  cwd: string;
}

const RULE_SETS: readonly Rule[] = [moduleState, classState, diskWrites, timers, databaseClients, heavyWork, externalCalls];
const RULE_ORDER = Object.keys(RULES) as RuleId[];

/** Audits the TypeScript sources under `dir`: findings with file:line and fix, then the checklist. */
export function runDoctor(options: DoctorOptions): DoctorReport {
  const app = loadApp(options.dir, options.cwd);
  const findings: Finding[] = [];
  const facts = collectFacts(app.sources, app.checker);
  const ctx = createRuleContext(app, facts, new CodeContexts(app.checker, app.sources, facts.entryFiles), findings);

  for (const sf of app.sources) {
    for (const d of app.program.getSyntacticDiagnostics(sf)) {
      ctx.reportAt('source/syntax-error', sf, d.start ?? 0, `${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (TS${d.code}): the rules may miss code in this file.`, 'fix the syntax error (npx tsc --noEmit shows it in full).');
    }
  }
  for (const rule of RULE_SETS) rule(ctx);

  findings.sort((a, b) => RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule) || compare(a.file, b.file) || a.line - b.line || a.column - b.column);
  const items = checklist(ctx, findings);
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const errors = count('error');
  const failed = items.filter((i) => i.status === 'failed').length;
  return {
    findings,
    checklist: items,
    summary: {
      files: app.sources.length,
      errors,
      warnings: count('warning'),
      infos: count('info'),
      passed: items.filter((i) => i.status === 'passed').length,
      failed,
      notApplicable: items.filter((i) => i.status === 'not-applicable').length,
      ok: errors === 0 && failed === 0,
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

