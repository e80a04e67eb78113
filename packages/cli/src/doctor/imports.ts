import ts from 'typescript';

/**
 * What an expression refers to in a package: `fs.promises.writeFile` with `import fs from
 * 'node:fs'` is `{ module: 'fs/promises', path: ['writeFile'] }`; `new Client()` with
 * `import { Client } from 'pg'` is `{ module: 'pg', path: ['Client'] }`. A default or namespace
 * import is the empty path. `node:` prefixes are dropped and `x.promises` becomes `x/promises`.
 */
export interface PackageRef {
  module: string;
  path: string[];
}

/** The package member `expr` names, following imports, re-exports through the app's own files, and destructuring. */
export function packageRef(expr: ts.Expression, checker: ts.TypeChecker): PackageRef | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return identifierRef(e, checker);
  if (ts.isPropertyAccessExpression(e)) return extend(packageRef(e.expression, checker), e.name.text);
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return extend(packageRef(e.expression, checker), e.argumentExpression.text);
  return undefined;
}

/** `ref` is `module` (any spelling of it) with exactly this member path. */
export function refIs(ref: PackageRef | undefined, module: string | readonly string[], ...path: string[]): boolean {
  if (!ref) return false;
  const modules = typeof module === 'string' ? [module] : module;
  return modules.includes(ref.module) && ref.path.length === path.length && ref.path.every((p, i) => p === path[i]);
}

/** The name imported from a `@fleet/*` package that `expr` refers to (`RateLimit`, `Sessions`...). */
export function fleetName(expr: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const ref = packageRef(expr, checker);
  return ref && ref.module.startsWith('@fleet/') && ref.path.length === 1 ? ref.path[0] : undefined;
}

/**
 * Whether `id` names a global of the runtime (e.g. `fetch`, `setInterval`): declared only in
 * declaration files, or not declared at all, and not imported or declared by the app.
 */
export function isGlobal(id: ts.Identifier, checker: ts.TypeChecker): boolean {
  const symbol = checker.getSymbolAtLocation(id);
  if (!symbol) return true;
  if (symbol.flags & ts.SymbolFlags.Alias) return false;
  return (symbol.declarations ?? []).every((d) => d.getSourceFile().isDeclarationFile);
}

export function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function extend(ref: PackageRef | undefined, name: string): PackageRef | undefined {
  return ref && normalize(ref.module, [...ref.path, name]);
}

function normalize(module: string, path: string[]): PackageRef {
  let m = module.replace(/^node:/, '');
  let p = path[0] === 'default' ? path.slice(1) : path;
  // fs.promises.writeFile is fs/promises' writeFile (likewise dns, stream, timers, readline).
  if (p[0] === 'promises' && !m.endsWith('/promises')) { m = `${m}/promises`; p = p.slice(1); }
  return { module: m, path: p };
}

function identifierRef(id: ts.Identifier, checker: ts.TypeChecker): PackageRef | undefined {
  let symbol = checker.getSymbolAtLocation(id);
  const seen = new Set<ts.Symbol>();
  while (symbol && !seen.has(symbol)) {
    seen.add(symbol);
    const decl = symbol.declarations?.[0];
    if (!decl) return undefined;
    if (symbol.flags & ts.SymbolFlags.Alias) {
      const origin = aliasOrigin(decl);
      if (origin && !isRelative(origin.module)) return normalize(origin.module, origin.path);
      const next = checker.getImmediateAliasedSymbol(symbol);
      if (!next || next === symbol) return undefined;
      symbol = next;
      continue;
    }
    // const { Client } = pg;  const fs = require('node:fs')
    if (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent) && ts.isVariableDeclaration(decl.parent.parent) && decl.parent.parent.initializer) {
      const name = decl.propertyName && ts.isIdentifier(decl.propertyName) ? decl.propertyName.text : ts.isIdentifier(decl.name) ? decl.name.text : undefined;
      return name === undefined ? undefined : extend(requireOrRef(decl.parent.parent.initializer, checker), name);
    }
    if (ts.isVariableDeclaration(decl) && decl.initializer && ts.isIdentifier(decl.name) && isConst(decl)) {
      const viaRequire = requireRef(decl.initializer);
      if (viaRequire) return viaRequire;
    }
    return undefined;
  }
  return undefined;
}

function requireOrRef(expr: ts.Expression, checker: ts.TypeChecker): PackageRef | undefined {
  return requireRef(expr) ?? packageRef(expr, checker);
}

/** `require('x')` or `await import('x')`. */
function requireRef(expr: ts.Expression): PackageRef | undefined {
  let e = unwrap(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (!ts.isCallExpression(e) || e.arguments.length !== 1 || !ts.isStringLiteralLike(e.arguments[0]!)) return undefined;
  const isRequire = ts.isIdentifier(e.expression) && e.expression.text === 'require';
  const isImport = e.expression.kind === ts.SyntaxKind.ImportKeyword;
  if (!isRequire && !isImport) return undefined;
  const module = e.arguments[0].text;
  return isRelative(module) ? undefined : normalize(module, []);
}

function aliasOrigin(decl: ts.Declaration): PackageRef | undefined {
  if (ts.isImportSpecifier(decl)) return { module: specifier(decl.parent.parent.parent.moduleSpecifier), path: [(decl.propertyName ?? decl.name).text] };
  if (ts.isImportClause(decl)) return { module: specifier(decl.parent.moduleSpecifier), path: [] };
  if (ts.isNamespaceImport(decl)) return { module: specifier(decl.parent.parent.moduleSpecifier), path: [] };
  if (ts.isExportSpecifier(decl) && decl.parent.parent.moduleSpecifier) {
    return { module: specifier(decl.parent.parent.moduleSpecifier), path: [(decl.propertyName ?? decl.name).text] };
  }
  if (ts.isNamespaceExport(decl) && decl.parent.moduleSpecifier) return { module: specifier(decl.parent.moduleSpecifier), path: [] };
  if (ts.isImportEqualsDeclaration(decl) && ts.isExternalModuleReference(decl.moduleReference)) {
    return { module: specifier(decl.moduleReference.expression), path: [] };
  }
  return undefined;
}

function specifier(node: ts.Node): string {
  return ts.isStringLiteralLike(node) ? node.text : '';
}

function isRelative(module: string): boolean {
  return module === '' || module.startsWith('.') || module.startsWith('/');
}

function isConst(decl: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}
