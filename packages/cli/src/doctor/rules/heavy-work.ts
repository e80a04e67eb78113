import ts from 'typescript';
import { describeFunction, walk } from '../ast.js';
import { packageRef, unwrap } from '../imports.js';
import type { RuleContext } from '../rule-context.js';

const QUEUE_FIX = 'enqueue it: @Async on a provider method runs it on a worker (retried, survives restarts), and the route answers 202 with the job id.';
const CHILD_PROCESS = new Set(['exec', 'execSync', 'execFile', 'execFileSync', 'spawn', 'spawnSync', 'fork']);
const BLOCKING_CRYPTO = new Set(['pbkdf2Sync', 'scryptSync', 'generateKeyPairSync', 'generatePrimeSync']);
/** Libraries whose work takes seconds: browsers, PDF rendering, e-mail delivery. */
const HEAVY_PACKAGES: Record<string, string> = {
  'puppeteer': 'starts a headless browser', 'puppeteer-core': 'starts a headless browser', 'playwright': 'starts a headless browser',
  'pdfkit': 'renders a PDF', 'pdfmake': 'renders a PDF', 'nodemailer': 'delivers e-mail over SMTP',
};

/**
 * jobs/heavy-in-request: work that holds a request for seconds, or blocks the event loop of the
 * instance (every other request on it waits): child processes, the synchronous forms of
 * crypto key derivation and zlib, headless browsers, PDF rendering, SMTP delivery.
 */
export function heavyWork(ctx: RuleContext): void {
  for (const sf of ctx.app.sources) {
    walk(sf, (node) => {
      if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return;
      const found = heavy(node, ctx);
      if (!found) return;
      const where = ctx.contexts.of(node);
      if (where.runs !== 'request') return;
      ctx.report('jobs/heavy-in-request', node, `${found.what} in ${describeFunction(where.fn)}: it ${found.why}, while the request waits.`, found.fix);
    });
  }
}

function heavy(node: ts.CallExpression | ts.NewExpression, ctx: RuleContext): { what: string; why: string; fix: string } | undefined {
  const ref = packageRef(node.expression, ctx.checker);
  const name = ref?.path[ref.path.length - 1];
  if (ref && name) {
    if (ref.module === 'child_process' && CHILD_PROCESS.has(name)) return { what: `child_process.${name}`, why: 'starts a process per request', fix: QUEUE_FIX };
    if (ref.module === 'crypto' && BLOCKING_CRYPTO.has(name)) {
      return { what: `crypto.${name}`, why: 'blocks the event loop of the whole instance', fix: `use the asynchronous form (crypto.${name.replace(/Sync$/, '')}, promisified), which runs on the thread pool; ${QUEUE_FIX}` };
    }
    if (ref.module === 'zlib' && name.endsWith('Sync')) {
      return { what: `zlib.${name}`, why: 'blocks the event loop of the whole instance', fix: `use the streaming or callback form of zlib; for large payloads, ${QUEUE_FIX}` };
    }
  }
  if (ref && HEAVY_PACKAGES[ref.module] !== undefined && ref.path.length <= 1) {
    return { what: ts.isNewExpression(node) ? `new ${ref.module}${name ? `.${name}` : ''}()` : `${ref.module}${name ? `.${name}` : ''}()`, why: HEAVY_PACKAGES[ref.module]!, fix: QUEUE_FIX };
  }
  // transport.sendMail(...) on a nodemailer transport
  const callee = unwrap(node.expression);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(callee) && callee.name.text === 'sendMail' && ctx.facts.packages.has('nodemailer')) {
    return { what: 'sendMail()', why: 'delivers e-mail over SMTP', fix: QUEUE_FIX };
  }
  return undefined;
}
