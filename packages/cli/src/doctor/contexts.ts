import ts from 'typescript';
import { memberName, walk } from './ast.js';
import { isGlobal } from './imports.js';

/**
 * When code runs: `module` at import (top-level statements, static initialisers, decorators,
 * functions only called from there), `boot` while the app starts or stops (constructors,
 * onInit/onShutdown and what only they call, factories, the entry file's own functions),
 * `request` later, per request or per tick: methods, handlers and callbacks the app keeps.
 */
export type RunTime = 'module' | 'boot' | 'request';

export interface CodeContext {
  runs: RunTime;
  /** The function the code is in, as messages name it (the outermost one for callbacks). */
  fn?: ts.Node;
}

const LIFECYCLE = new Set(['onInit', 'onShutdown']);
/** Options whose function runs at boot. */
const BOOT_PROPERTIES = new Set(['useFactory', 'setup']);
/** Calls whose callback runs later, not when the call is made. */
const DEFERRING_GLOBALS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);
const DEFERRING_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'addEventListener', 'subscribe']);
const ORDER: Record<RunTime, number> = { module: 0, boot: 1, request: 2 };

type FunctionNode = ts.FunctionLikeDeclaration | ts.ClassStaticBlockDeclaration;

export class CodeContexts {
  private readonly callers = new Map<ts.Node, RunTime>();

  /**
   * `sources`: the app's files (where calls are looked for); `entryFiles`: files that boot the
   * app (they call createApp outside a class).
   */
  constructor(private readonly checker: ts.TypeChecker, private readonly sources: readonly ts.SourceFile[], private readonly entryFiles: ReadonlySet<ts.SourceFile>) {}

  of(node: ts.Node): CodeContext {
    const fn = container(node);
    if (!fn) return { runs: 'module' };
    if (ts.isClassStaticBlockDeclaration(fn)) return { runs: 'module', fn };
    if (ts.isPropertyDeclaration(fn)) return { runs: isStatic(fn) ? 'module' : 'boot', fn };
    if (ts.isConstructorDeclaration(fn)) return { runs: 'boot', fn };
    if (ts.isMethodDeclaration(fn) && LIFECYCLE.has(memberName(fn) ?? '')) return { runs: 'boot', fn };
    if (ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) {
      const site = skipParens(fn).parent;
      // (() => { ... })()
      if (ts.isCallExpression(site) && skipParens(site.expression) === skipParens(fn)) return this.of(site);
      // items.map((x) => ...): runs when the call runs, unless the call defers it (a timer, a listener).
      if ((ts.isCallExpression(site) || ts.isNewExpression(site)) && site.arguments?.includes(skipParens(fn) as ts.Expression)) {
        return this.defers(site) ? { runs: 'request', fn: this.of(site).fn ?? fn } : this.of(site);
      }
      if (ts.isPropertyAssignment(site) && BOOT_PROPERTIES.has(memberName(site) ?? '')) return { runs: 'boot', fn };
      // A decorator factory's returned function runs when the decorated class is defined.
      const factory = returnedBy(fn);
      if (factory && this.usedOnlyAsDecorator(factory)) return { runs: 'module', fn };
    }
    if (this.entryFiles.has(node.getSourceFile()) && !inClass(fn)) return { runs: 'boot', fn };
    return { runs: this.calledFrom(fn), fn };
  }

  private defers(call: ts.CallExpression | ts.NewExpression): boolean {
    const callee = skipParens(call.expression);
    if (ts.isIdentifier(callee)) return DEFERRING_GLOBALS.has(callee.text) && isGlobal(callee, this.checker);
    return ts.isPropertyAccessExpression(callee) && DEFERRING_METHODS.has(callee.name.text);
  }

  /**
   * When a named function or method runs, from its callers: a function only ever called at
   * import (`const TABLE = build();`, `register(...)` at the top level, a decorator) runs at
   * import; a private helper only called from the constructor or onInit runs at boot. A function
   * with no visible caller (a route handler, called by the framework), or one that is passed
   * around rather than called, runs later.
   */
  private calledFrom(fn: FunctionNode): RunTime {
    const cached = this.callers.get(fn);
    if (cached !== undefined) return cached;
    this.callers.set(fn, 'request'); // recursion counts as "called later"
    const sites = this.references(fn);
    let latest: RunTime = 'module';
    for (const site of sites ?? []) {
      const runs = site.kind === 'other' ? 'request' : this.of(site.node).runs;
      if (ORDER[runs] > ORDER[latest]) latest = runs;
    }
    const result = sites && sites.length > 0 ? latest : 'request';
    this.callers.set(fn, result);
    return result;
  }

  private usedOnlyAsDecorator(fn: FunctionNode): boolean {
    const sites = this.references(fn);
    return sites !== undefined && sites.length > 0 && sites.every((s) => s.kind === 'decorator' && this.of(s.node).runs === 'module');
  }

  /** Every use of the function's name in the app: calls, decorator applications, anything else. */
  private references(fn: FunctionNode): Array<{ kind: 'call' | 'decorator' | 'other'; node: ts.Node }> | undefined {
    const named = nameOf(fn);
    if (!named) return undefined;
    const symbol = this.checker.getSymbolAtLocation(named.name);
    if (!symbol) return undefined;
    const sites: Array<{ kind: 'call' | 'decorator' | 'other'; node: ts.Node }> = [];
    for (const sf of named.wide ? this.sources : [fn.getSourceFile()]) {
      walk(sf, (n) => {
        if ((!ts.isIdentifier(n) && !ts.isPrivateIdentifier(n)) || n === named.name || n.text !== named.name.text) return;
        if (ts.isImportSpecifier(n.parent) || ts.isExportSpecifier(n.parent) || ts.isImportClause(n.parent)) return;
        let s = this.checker.getSymbolAtLocation(n);
        if (s && s.flags & ts.SymbolFlags.Alias) s = this.checker.getAliasedSymbol(s);
        if (s !== symbol) return;
        const ref = ts.isPropertyAccessExpression(n.parent) && n.parent.name === n ? n.parent : n;
        const outer = skipParens(ref);
        const call = outer.parent;
        if (ts.isDecorator(call)) sites.push({ kind: 'decorator', node: call });
        else if (ts.isCallExpression(call) && skipParens(call.expression) === outer) sites.push({ kind: ts.isDecorator(call.parent) ? 'decorator' : 'call', node: call });
        else sites.push({ kind: 'other', node: ref });
      });
    }
    return sites;
  }
}

/** The name a function is called by, and whether callers may be in other files (exported, or a method). */
function nameOf(fn: FunctionNode): { name: ts.Identifier | ts.PrivateIdentifier; wide: boolean } | undefined {
  const exported = (d: ts.Node) => (ts.getCombinedModifierFlags(d as ts.Declaration) & ts.ModifierFlags.Export) !== 0;
  if (ts.isFunctionDeclaration(fn) && fn.name && ts.isSourceFile(fn.parent)) return { name: fn.name, wide: exported(fn) };
  if (ts.isMethodDeclaration(fn) && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) return { name: fn.name, wide: true };
  const p = fn.parent;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)
    && ts.isVariableStatement(p.parent.parent) && ts.isSourceFile(p.parent.parent.parent)) return { name: p.name, wide: exported(p.parent.parent) };
  return undefined;
}

/** `g` when `fn` is what `g` returns: `function g() { return (t) => ...; }` or `const g = () => (t) => ...`. */
function returnedBy(fn: ts.ArrowFunction | ts.FunctionExpression): FunctionNode | undefined {
  const p = skipParens(fn).parent;
  if (ts.isArrowFunction(p) && p.body === skipParens(fn)) return p;
  if (!ts.isReturnStatement(p)) return undefined;
  for (let n: ts.Node = p.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)) return n;
  }
  return undefined;
}

/**
 * The function (or static block, or field initialiser) whose code `node` is. Decorators are
 * evaluated where their class is defined, not inside the member they decorate.
 */
function container(node: ts.Node): FunctionNode | ts.PropertyDeclaration | undefined {
  for (let n: ts.Node = node, p = node.parent; p; n = p, p = p.parent) {
    if (ts.isDecorator(p)) {
      let cls: ts.Node = p;
      while (!ts.isClassLike(cls) && cls.parent) cls = cls.parent;
      p = cls;
      continue;
    }
    if ((ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isArrowFunction(p) || ts.isMethodDeclaration(p)
      || ts.isConstructorDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) && p.body !== undefined && n !== p.name) return p;
    if (ts.isClassStaticBlockDeclaration(p)) return p;
    if (ts.isPropertyDeclaration(p) && p.initializer === n) return p;
  }
  return undefined;
}

function isStatic(node: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Static) !== 0;
}

function inClass(fn: ts.Node): boolean {
  for (let n: ts.Node | undefined = fn; n; n = n.parent) if (ts.isClassLike(n)) return true;
  return false;
}

function skipParens(node: ts.Node): ts.Node {
  let n = node;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return n;
}
