import ts from 'typescript';
import { describeFunction, hasFleetDecorator, walk } from '../ast.js';
import { isGlobal, packageRef, unwrap } from '../imports.js';
import type { RuleContext } from '../rule-context.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);

/** How an external HTTP call is named in messages, or undefined when `call` is not one. */
function externalCall(call: ts.CallExpression, ctx: RuleContext): string | undefined {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee) && callee.text === 'fetch' && isGlobal(callee, ctx.checker)) return 'fetch()';
  const ref = packageRef(callee, ctx.checker);
  if (!ref) return undefined;
  const [first, ...rest] = ref.path;
  if (rest.length > 0) return undefined;
  switch (ref.module) {
    case 'undici': return first && ['fetch', 'request', 'stream', 'pipeline'].includes(first) ? `undici.${first}()` : undefined;
    case 'axios': case 'got': case 'ky': case 'superagent':
      return first === undefined ? `${ref.module}()` : VERBS.has(first) ? `${ref.module}.${first}()` : undefined;
    case 'node-fetch': case 'cross-fetch': return first === undefined ? `${ref.module}()` : undefined;
    case 'http': case 'https': return first === 'request' || first === 'get' ? `${ref.module}.${first}()` : undefined;
    default: return undefined;
  }
}

/** An HTTP call to another service made by request code, and whether a breaker guards it. */
export interface ExternalCall {
  node: ts.CallExpression;
  what: string;
  /** The method whose decorators apply, if the call is in one. */
  method?: ts.MethodDeclaration;
  guarded: boolean;
  fn?: ts.Node;
}

export function findExternalCalls(ctx: RuleContext): ExternalCall[] {
  const out: ExternalCall[] = [];
  for (const sf of ctx.app.sources) {
    walk(sf, (node) => {
      if (!ts.isCallExpression(node)) return;
      const what = externalCall(node, ctx);
      if (!what) return;
      const where = ctx.contexts.of(node);
      if (where.runs !== 'request') return;
      const method = guardingMethod(node);
      const guarded = method !== undefined && hasFleetDecorator(method, 'CircuitBreaker', ctx.checker);
      out.push({ node, what, guarded, ...(method ? { method } : {}), ...(where.fn ? { fn: where.fn } : {}) });
    });
  }
  return out;
}

/**
 * resilience/no-circuit-breaker: an HTTP call to another service from request code, in a method
 * without @CircuitBreaker. When that service slows down or fails, every request waits on it and
 * the failure spreads; a breaker fails fast instead.
 */
export function externalCalls(ctx: RuleContext): void {
  for (const call of findExternalCalls(ctx)) {
    if (call.guarded) continue;
    const name = describeFunction(call.method ?? call.fn);
    ctx.report('resilience/no-circuit-breaker', call.node, `${call.what} in ${name} calls another service without a circuit breaker: when it is slow or down, every request waits on it.`,
      call.method
        ? `decorate ${name} with @CircuitBreaker (and bound it with @Timeout; @Retry for idempotent calls).`
        : 'move the call into a method of an @Injectable provider and decorate it with @CircuitBreaker (and @Timeout).');
  }
}

/** The class method whose decorators apply to `node` (callbacks inside it included). */
function guardingMethod(node: ts.Node): ts.MethodDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isMethodDeclaration(n)) return n;
    if (ts.isFunctionDeclaration(n) || ts.isClassLike(n)) return undefined;
  }
  return undefined;
}
