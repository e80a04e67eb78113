import ts from 'typescript';
import { describeFunction, fleetDecorators, walk } from '../ast.js';
import { isGlobal, packageRef, refIs, unwrap } from '../imports.js';
import type { RuleContext } from '../rule-context.js';

const FIX = 'schedule it with @Scheduled on a provider method: one run per tick across the whole fleet (coordinated in Redis), not one per instance.';

/**
 * timers/in-process: schedulers that run inside each instance, so N instances do the work N
 * times, and a restart loses the schedule: setInterval anywhere; a setTimeout whose callback
 * schedules again (itself or another setTimeout); an endless loop that sleeps with
 * `timers/promises`. Classes opted out with @AllowState are skipped, as at boot.
 */
export function timers(ctx: RuleContext): void {
  for (const sf of ctx.app.sources) {
    walk(sf, (node) => {
      if (!ts.isCallExpression(node) || inOptedOutClass(node, ctx)) return;
      const kind = timerKind(node, ctx);
      if (kind === 'setInterval') {
        ctx.report('timers/in-process', node, `setInterval in ${describeFunction(enclosingFunction(node))} runs on every instance of the fleet, and its schedule is lost on restart.`, FIX);
      } else if (kind === 'setTimeout' && reschedules(node, ctx)) {
        ctx.report('timers/in-process', node, `setTimeout in ${describeFunction(enclosingFunction(node))} schedules itself again: a repeating in-process timer, run on every instance.`, FIX);
      } else if (kind === 'sleep' && inEndlessLoop(node)) {
        ctx.report('timers/in-process', node, `an endless loop in ${describeFunction(enclosingFunction(node))} sleeps with timers/promises setTimeout: a polling scheduler on every instance.`, FIX);
      }
    });
  }
}

type TimerKind = 'setInterval' | 'setTimeout' | 'sleep' | undefined;

function timerKind(call: ts.CallExpression, ctx: RuleContext): TimerKind {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee) && isGlobal(callee, ctx.checker)) {
    return callee.text === 'setInterval' ? 'setInterval' : callee.text === 'setTimeout' ? 'setTimeout' : undefined;
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ['globalThis', 'global', 'window'].includes(callee.expression.text)) {
    return callee.name.text === 'setInterval' ? 'setInterval' : callee.name.text === 'setTimeout' ? 'setTimeout' : undefined;
  }
  const ref = packageRef(callee, ctx.checker);
  if (refIs(ref, ['timers', 'timers/promises'], 'setInterval')) return 'setInterval';
  if (refIs(ref, 'timers', 'setTimeout')) return 'setTimeout';
  if (refIs(ref, 'timers/promises', 'setTimeout')) return 'sleep';
  return undefined;
}

/** The callback schedules again: it calls setTimeout, or the function that made this call. */
function reschedules(call: ts.CallExpression, ctx: RuleContext): boolean {
  const callback = call.arguments[0] && unwrap(call.arguments[0]);
  if (!callback) return false;
  const self = enclosingFunction(call);
  if (refersTo(callback, self, ctx)) return true;
  if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return false;
  let found = false;
  walk(callback.body, (n) => {
    if (found || !ts.isCallExpression(n)) return;
    if (timerKind(n, ctx) === 'setTimeout' || refersTo(unwrap(n.expression), self, ctx)) found = true;
  });
  return found;
}

/** `expr` names `fn`: its identifier, `this.<method>` (or `.bind(...)` of either). */
function refersTo(expr: ts.Expression, fn: ts.Node | undefined, ctx: RuleContext): boolean {
  if (!fn) return false;
  let e = unwrap(expr);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') e = unwrap(e.expression.expression);
  if (ts.isIdentifier(e)) {
    const decl = ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
    return decl === fn || (decl !== undefined && ts.isVariableDeclaration(decl) && decl.initializer !== undefined && unwrap(decl.initializer) === fn);
  }
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isMethodDeclaration(fn)) {
    return ts.isIdentifier(fn.name) && e.name.text === fn.name.text;
  }
  return false;
}

function inEndlessLoop(node: ts.Node): boolean {
  for (let n = node.parent; n && !ts.isFunctionLike(n); n = n.parent) {
    if (ts.isForStatement(n) && !n.condition) return true;
    if ((ts.isWhileStatement(n) || ts.isDoStatement(n)) && isEndless(n.expression)) return true;
  }
  return false;
}

/** `true`, or a stop flag: `!stopped`, `!this.stopping`, `running`. */
function isEndless(condition: ts.Expression): boolean {
  const c = unwrap(condition);
  if (c.kind === ts.SyntaxKind.TrueKeyword) return true;
  const flag = ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken ? unwrap(c.operand) : c;
  return ts.isIdentifier(flag) || (ts.isPropertyAccessExpression(flag) && flag.expression.kind === ts.SyntaxKind.ThisKeyword);
}

/** The nearest function that contains `node` (its body, not its name). */
function enclosingFunction(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isAccessor(n)) return n;
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && !isArgument(n)) return n;
  }
  return undefined;
}

function isArgument(fn: ts.Node): boolean {
  const p = fn.parent;
  return (ts.isCallExpression(p) || ts.isNewExpression(p)) && (p.arguments ?? []).some((a) => unwrap(a) === fn);
}

function inOptedOutClass(node: ts.Node, ctx: RuleContext): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isClassLike(n) && fleetDecorators(n, ctx.checker).some((d) => d.name === 'AllowState')) return true;
  }
  return false;
}
