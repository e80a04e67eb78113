/** How much a finding matters: errors (and failed checklist items) make `fleet doctor` exit 1. */
export type Severity = 'error' | 'warning' | 'info';

/** One place in the app's source that a rule flags, with the fix. */
export interface Finding {
  /** Stable rule id, e.g. `state/module-collection` (documented in docs/doctor.md). */
  rule: RuleId;
  severity: Severity;
  /** Path relative to the directory `fleet doctor` runs in, with `/` separators. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
  fix: string;
}

export type ChecklistStatus = 'passed' | 'failed' | 'not-applicable';

/** One item of the horizontal-scaling checklist, judged from the source. */
export interface ChecklistItem {
  id: ChecklistId;
  title: string;
  status: ChecklistStatus;
  /** Why: what was found (or not found) that decided the status. */
  reason: string;
  /** `file:line` of the evidence, when there is some. */
  at: string[];
}

export interface DoctorSummary {
  /** Number of source files audited. */
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  passed: number;
  failed: number;
  notApplicable: number;
  /** True when there is no error finding and no failed checklist item (exit code 0). */
  ok: boolean;
}

/** What `fleet doctor --json` prints. */
export interface DoctorReport {
  findings: Finding[];
  checklist: ChecklistItem[];
  summary: DoctorSummary;
}

/** The rules, each with its severity and a one-line title; docs/doctor.md documents every id. */
export const RULES = {
  'source/syntax-error': { severity: 'error', title: 'A source file does not parse' },
  'state/module-mutable': { severity: 'error', title: 'A module-level let/var is reassigned from request code' },
  'state/module-collection': { severity: 'error', title: 'A module-level collection or mutable object is used from request code' },
  'state/static-field': { severity: 'error', title: 'A static class field holds state' },
  'state/private-field': { severity: 'error', title: 'An ES #private field holds state (the boot guard cannot see it)' },
  'state/provider-field': { severity: 'error', title: 'A provider or controller field holds a collection or mutable object' },
  'state/field-assigned': { severity: 'error', title: 'A provider field is assigned after boot (singletons are frozen)' },
  'state/allow-state': { severity: 'info', title: 'State opted out with @AllowState (listed with its reason)' },
  'disk/write-in-request': { severity: 'error', title: 'Request code writes to local disk' },
  'timers/in-process': { severity: 'error', title: 'An in-process scheduler (setInterval, a self-rescheduling setTimeout, a polling loop)' },
  'db/unpooled-client': { severity: 'error', title: 'A database or Redis connection is opened per request, or not pooled' },
  'jobs/heavy-in-request': { severity: 'error', title: 'Request code does heavy work (child processes, blocking crypto/zlib, e-mail, PDFs, browsers)' },
  'resilience/no-circuit-breaker': { severity: 'error', title: 'An external HTTP call without @CircuitBreaker' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type RuleId = keyof typeof RULES;

/** The checklist, in the order it is printed. */
export const CHECKLIST = {
  'stateless': 'Services are stateless',
  'sessions-external': 'Sessions stored externally',
  'files-object-storage': 'Files stored in object storage',
  'db-pooled': 'Database connections pooled',
  'heavy-tasks-queued': 'Heavy tasks queued',
  'caching-ttl': 'Caching implemented with TTL',
  'rate-limiting': 'Rate limiting configured',
  'circuit-breakers': 'Circuit breakers on external calls',
  'health-checks': 'Health checks implemented',
  'graceful-shutdown': 'Graceful shutdown handling',
} as const;

export type ChecklistId = keyof typeof CHECKLIST;
