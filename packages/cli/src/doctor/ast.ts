import ts from 'typescript';
import { fleetName, unwrap } from './imports.js';

/** 1-based line and column of where `node` starts (after its leading comments). */
export function position(node: ts.Node): { line: number; column: number } {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return { line: line + 1, column: character + 1 };
}

/** `src/a.ts:12`, for evidence lists and messages. */
export function at(node: ts.Node, shown: (sf: ts.SourceFile) => string): string {
  return `${shown(node.getSourceFile())}:${position(node).line}`;
}

/** Calls every node under `root`, depth first. */
export function walk(root: ts.Node, visit: (node: ts.Node) => void): void {
  const go = (node: ts.Node) => { visit(node); ts.forEachChild(node, go); };
  go(root);
}

export interface FleetDecorator {
  /** The name exported by @fleet/core (`Injectable`, `RateLimit`...), whatever the local alias. */
  name: string;
  node: ts.Decorator;
  /** The decorator factory's arguments (`@RateLimit({ ... })`), empty for a bare `@X`. */
  args: readonly ts.Expression[];
}

/** The decorators of `node` that come from a `@fleet/*` package. */
export function fleetDecorators(node: ts.Node, checker: ts.TypeChecker): FleetDecorator[] {
  if (!ts.canHaveDecorators(node)) return [];
  const out: FleetDecorator[] = [];
  for (const d of ts.getDecorators(node) ?? []) {
    const call = ts.isCallExpression(d.expression) ? d.expression : undefined;
    const name = fleetName(call ? call.expression : d.expression, checker);
    if (name) out.push({ name, node: d, args: call ? call.arguments : [] });
  }
  return out;
}

export function hasFleetDecorator(node: ts.Node, names: string | readonly string[], checker: ts.TypeChecker): boolean {
  const wanted = typeof names === 'string' ? [names] : names;
  return fleetDecorators(node, checker).some((d) => wanted.includes(d.name));
}

/** The text of a string literal (or a template without substitutions). */
export function stringValue(expr: ts.Expression | undefined): string | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  return ts.isStringLiteralLike(e) ? e.text : undefined;
}

/** The name of a property, method or class member, when it is a plain name. */
export function memberName(node: { name?: ts.PropertyName | ts.BindingName }): string | undefined {
  const n = node.name;
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

/** `OrdersController.create`, `save()`, `handler`: how messages name the function a node is in. */
export function describeFunction(fn: ts.Node | undefined): string {
  if (!fn) return 'module initialisation';
  const cls = ts.isClassLike(fn.parent) ? (fn.parent.name?.text ?? 'an anonymous class') : undefined;
  if (ts.isConstructorDeclaration(fn)) return `the constructor of ${cls}`;
  if ((ts.isMethodDeclaration(fn) || ts.isAccessor(fn) || ts.isPropertyDeclaration(fn)) && cls) return `${cls}.${memberName(fn) ?? '[computed]'}`;
  if (ts.isFunctionDeclaration(fn)) return `${fn.name?.text ?? 'an anonymous function'}()`;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return `${p.name.text}()`;
  if (p && ts.isPropertyDeclaration(p) && cls === undefined && ts.isClassLike(p.parent)) return `${p.parent.name?.text ?? 'a class'}.${memberName(p)}`;
  if (p && ts.isPropertyAssignment(p)) return `${memberName(p) ?? 'a callback'}()`;
  return 'a callback';
}

function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** `x = 1`, `x += 1`, `x++`, `--x`: `node` is the target of a write. */
export function isWriteTarget(node: ts.Node): boolean {
  const p = skipWrappers(node).parent;
  const self = skipWrappers(node);
  if (ts.isBinaryExpression(p) && p.left === self && isAssignmentOperator(p.operatorToken.kind)) return true;
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  return ts.isDeleteExpression(p);
}

/** The outermost parenthesis / non-null / `as` wrapping `node`. */
export function skipWrappers(node: ts.Node): ts.Node {
  let n = node;
  while (n.parent && (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent))) n = n.parent;
  return n;
}
