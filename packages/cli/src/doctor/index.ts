export { runDoctor, type DoctorOptions } from './run-doctor.js';
export { formatReport } from './format-report.js';
export { RULES, CHECKLIST, type DoctorReport, type Finding, type ChecklistItem, type ChecklistStatus, type Severity, type RuleId, type ChecklistId } from './report.js';
