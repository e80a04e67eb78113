import { RULES, type ChecklistItem, type DoctorReport, type RuleId } from './report.js';

const MARK: Record<ChecklistItem['status'], string> = { 'passed': '✓', 'failed': '✗', 'not-applicable': '–' };

/** The readable report: findings grouped by rule, the checklist, a summary line. */
export function formatReport(report: DoctorReport, dirShown: string): string {
  const lines: string[] = [`fleet doctor: ${report.summary.files} source file${report.summary.files === 1 ? '' : 's'} under ${dirShown}`, ''];
  const rules = [...new Set(report.findings.map((f) => f.rule))] as RuleId[];
  for (const rule of rules) {
    const own = report.findings.filter((f) => f.rule === rule);
    lines.push(`${rule} (${RULES[rule].severity}): ${RULES[rule].title}`);
    for (const f of own) {
      lines.push(`  ${f.file}:${f.line}:${f.column}  ${f.message}`);
      lines.push(`    fix: ${f.fix}`);
    }
    lines.push('');
  }
  if (rules.length === 0) lines.push('No findings.', '');

  lines.push('Horizontal-scaling checklist');
  const width = Math.max(...report.checklist.map((i) => i.title.length));
  for (const i of report.checklist) {
    lines.push(`  ${MARK[i.status]} ${i.title.padEnd(width)}  ${i.status === 'not-applicable' ? 'n/a: ' : ''}${i.reason}`);
    if (i.status === 'failed' && i.at.length > 0) lines.push(`    ${' '.repeat(width)}  at ${i.at.slice(0, 5).join(', ')}${i.at.length > 5 ? ` and ${i.at.length - 5} more` : ''}`);
  }
  const s = report.summary;
  lines.push('', `${s.ok ? 'PASSED' : 'FAILED'}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'opt-out')}; ` +
    `checklist ${s.passed} passed, ${s.failed} failed, ${s.notApplicable} not applicable.`, '');
  return lines.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
