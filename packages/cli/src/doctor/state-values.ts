import ts from 'typescript';
import { isWriteTarget, skipWrappers } from './ast.js';
import { unwrap } from './imports.js';

/** A value that holds state: a collection, a cache, a mutable array or object. */
export interface Container {
  /** `a Map`, `an LRUCache`, `a mutable object`... */
  label: string;
  /** Created empty (`{}`, `[]`, `new Map()`): whoever uses it fills it. */
  empty: boolean;
  /** `Object.freeze(new Map())`: freezing does not stop `set`/`add`/`delete`. */
  frozenShell: boolean;
  /** A name that says cache (LRUCache, TTLCache...). */
  cache: boolean;
}

const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array', 'Object']);
const CACHE_CLASS = /^(LRU|QuickLRU|TTLCache|NodeCache|.*Cache)$/;

/**
 * Whether `expr` (an initialiser) creates a container, is a frozen constant (`'frozen'`:
 * `Object.freeze({...})`, a literal `as const`), or neither (`undefined`: a primitive, a call
 * result, an instance of some other class).
 */
export function containerOf(expr: ts.Expression | undefined): Container | 'frozen' | undefined {
  if (!expr) return undefined;
  if (isAsConst(expr)) return 'frozen';
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return { label: 'a mutable object', empty: e.properties.length === 0, frozenShell: false, cache: false };
  if (ts.isArrayLiteralExpression(e)) return { label: 'a mutable array', empty: e.elements.length === 0, frozenShell: false, cache: false };
  if (ts.isNewExpression(e)) {
    const name = calleeName(e.expression);
    if (!name) return undefined;
    const args = e.arguments ?? [];
    const empty = args.length === 0 || (args.length === 1 && ts.isArrayLiteralExpression(unwrap(args[0]!)) && (unwrap(args[0]!) as ts.ArrayLiteralExpression).elements.length === 0);
    if (COLLECTIONS.has(name)) {
      const label = name === 'Array' ? 'a mutable array' : name === 'Object' ? 'a mutable object' : `a ${name}`;
      return { label, empty, frozenShell: false, cache: false };
    }
    if (CACHE_CLASS.test(name)) return { label: `an in-process cache (${name})`, empty: true, frozenShell: false, cache: true };
    return undefined;
  }
  if (ts.isCallExpression(e)) {
    const callee = unwrap(e.expression);
    const isFreeze = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object' && callee.name.text === 'freeze';
    if (isFreeze) {
      const inner = containerOf(e.arguments[0]);
      return inner && inner !== 'frozen' && /Map|Set|cache/.test(inner.label) ? { ...inner, frozenShell: true } : 'frozen';
    }
    const isCreate = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object' && callee.name.text === 'create';
    if (isCreate) return { label: 'a mutable object', empty: true, frozenShell: false, cache: false };
  }
  return undefined;
}

function isAsConst(expr: ts.Expression): boolean {
  let e: ts.Expression = expr;
  while (ts.isParenthesizedExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return ts.isAsExpression(e) && ts.isTypeReferenceNode(e.type) && ts.isIdentifier(e.type.typeName) && e.type.typeName.text === 'const';
}

function calleeName(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** How a reference to a variable or field uses it. */
export type Use = 'read' | 'reassign' | 'mutate';

const MUTATORS = new Set(['set', 'add', 'delete', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);
/** Methods whose result is an element of the collection, so mutating it mutates the collection's content. */
const ELEMENT_GETTERS = new Set(['get', 'at', 'find', 'findLast', 'peek']);
const OBJECT_MUTATORS = new Set(['assign', 'defineProperty', 'defineProperties', 'setPrototypeOf']);

/**
 * `ref` is an identifier or `this.field` / `Class.field`. `x = ...`, `x++` reassign it;
 * `x.set(...)`, `x[k] = v`, `x.list.push(v)`, `x.get(k).add(v)`, `delete x[k]`,
 * `Object.assign(x, ...)` mutate what it holds. Anything else (including passing it on) reads it.
 */
export function useOf(ref: ts.Expression): Use {
  if (isWriteTarget(ref)) return 'reassign';
  let cur: ts.Node = skipWrappers(ref);
  for (;;) {
    const p = cur.parent;
    if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === cur) {
      const call = skipWrappers(p).parent;
      if (ts.isCallExpression(call) && skipWrappers(p) === call.expression) {
        const name = ts.isPropertyAccessExpression(p) ? p.name.text : undefined;
        if (name && MUTATORS.has(name)) return 'mutate';
        if (name && ELEMENT_GETTERS.has(name)) { cur = skipWrappers(call); continue; }
        return 'read';
      }
      if (isWriteTarget(p)) return 'mutate';
      cur = skipWrappers(p);
      continue;
    }
    if (ts.isCallExpression(p) && p.arguments[0] === cur) {
      const callee = unwrap(p.expression);
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ['Object', 'Reflect'].includes(callee.expression.text)
        && (OBJECT_MUTATORS.has(callee.name.text) || callee.name.text === 'set' || callee.name.text === 'deleteProperty')) return 'mutate';
    }
    return 'read';
  }
}
