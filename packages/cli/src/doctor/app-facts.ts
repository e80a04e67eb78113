import ts from 'typescript';
import { fleetDecorators, memberName, stringValue, walk, type FleetDecorator } from './ast.js';
import { fleetName, unwrap } from './imports.js';

/** An HTTP route, from `@Controller(prefix)` and `@Get(path)`... */
export interface Route {
  method: string;
  path: string;
  /** `AuthController.login` */
  handler: string;
  node: ts.MethodDeclaration;
}

/** A decorator from @fleet/* on a class or a member. */
export interface DecoratorUse extends FleetDecorator {
  cls: ts.ClassLikeDeclaration;
  /** The decorated member; undefined when the class itself is decorated. */
  member?: ts.ClassElement;
}

/** What the app's `createApp(...)` call asks for, read from its options and from @fleet/core's types. */
export interface CreateAppCall {
  node: ts.CallExpression;
  /** The options object literal, when it is one. */
  options?: ts.ObjectLiteralExpression;
  /** Names of the options `createApp` accepts, from its declared type; undefined when the types did not resolve. */
  accepts?: ReadonlySet<string>;
}

export interface SignalHandler {
  node: ts.CallExpression;
  signals: string[];
  /** The handler calls `close()` or `shutdown()` (on the app), rather than only exiting. */
  closesApp: boolean;
}

/** The facts about the whole app that the checklist and several rules read. */
export interface AppFacts {
  /** Files that call createApp outside a class: their free functions are boot and shutdown code. */
  entryFiles: Set<ts.SourceFile>;
  /** Singleton providers and controllers (decorated, or listed in a module's providers/controllers). */
  singletons: Set<ts.ClassLikeDeclaration>;
  routes: Route[];
  decorators: DecoratorUse[];
  /** Every imported name of @fleet/* packages, with where it is imported. */
  fleetImports: Map<string, ts.Node[]>;
  /** Every imported package (without `node:`), with where it is imported. */
  packages: Map<string, ts.Node[]>;
  createAppCalls: CreateAppCall[];
  signalHandlers: SignalHandler[];
  /** `{ provide: TOKEN, useValue: value }` in a module's providers: the value, and how the token is written. */
  providedValues: Array<{ token: string; value: ts.Expression }>;
}

const HTTP_METHODS: Record<string, string> = { Get: 'GET', Post: 'POST', Put: 'PUT', Patch: 'PATCH', Delete: 'DELETE', Head: 'HEAD', Options: 'OPTIONS' };

export function collectFacts(sources: readonly ts.SourceFile[], checker: ts.TypeChecker): AppFacts {
  const facts: AppFacts = {
    entryFiles: new Set(), singletons: new Set(), routes: [], decorators: [], fleetImports: new Map(), packages: new Map(),
    createAppCalls: [], signalHandlers: [], providedValues: [],
  };
  const listed: ts.Expression[] = [];
  for (const sf of sources) {
    walk(sf, (node) => {
      if (ts.isImportDeclaration(node) || (ts.isExportDeclaration(node) && node.moduleSpecifier)) recordImport(node, facts);
      else if (ts.isCallExpression(node)) recordCall(node, checker, facts);
      else if (ts.isClassLike(node)) recordClass(node, checker, facts, listed);
    });
  }
  for (const entry of listed) {
    const cls = classOf(entry, checker);
    if (cls && !isTransient(cls, checker)) facts.singletons.add(cls);
  }
  return facts;
}

function add<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value); else map.set(key, [value]);
}

function recordImport(node: ts.ImportDeclaration | ts.ExportDeclaration, facts: AppFacts): void {
  const module = stringValue(node.moduleSpecifier as ts.Expression);
  if (!module || module.startsWith('.')) return;
  add(facts.packages, module.replace(/^node:/, ''), node);
  if (!module.startsWith('@fleet/') || !ts.isImportDeclaration(node)) return;
  const bindings = node.importClause?.namedBindings;
  if (bindings && ts.isNamedImports(bindings)) for (const s of bindings.elements) add(facts.fleetImports, (s.propertyName ?? s.name).text, s);
}

function recordCall(call: ts.CallExpression, checker: ts.TypeChecker, facts: AppFacts): void {
  const callee = unwrap(call.expression);
  if (call.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
    const module = stringValue(call.arguments[0]);
    if (module && !module.startsWith('.')) add(facts.packages, module.replace(/^node:/, ''), call);
    return;
  }
  if (fleetName(callee, checker) === 'createApp') {
    const options = call.arguments[1] && unwrap(call.arguments[1]);
    facts.createAppCalls.push({
      node: call,
      ...(options && ts.isObjectLiteralExpression(options) ? { options } : {}),
      ...acceptedOptions(call, checker),
    });
    if (!insideClass(call)) facts.entryFiles.add(call.getSourceFile());
    return;
  }
  if (ts.isPropertyAccessExpression(callee) && ['on', 'once', 'addListener', 'prependListener'].includes(callee.name.text)
    && ts.isIdentifier(callee.expression) && callee.expression.text === 'process') {
    const signals = signalNames(call.arguments[0], checker);
    if (signals.length > 0) facts.signalHandlers.push({ node: call, signals, closesApp: callsClose(call.arguments[1]) });
  }
}

/** The options createApp accepts, from the type of its second parameter (undefined when the types did not resolve). */
function acceptedOptions(call: ts.CallExpression, checker: ts.TypeChecker): { accepts?: ReadonlySet<string> } {
  const signature = checker.getResolvedSignature(call);
  const parameter = signature?.getParameters()[1];
  if (!parameter) return {};
  const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(parameter, call));
  const names = checker.getApparentType(type).getProperties().map((p) => p.name);
  return names.length > 0 ? { accepts: new Set(names) } : {};
}

/** `'SIGTERM'`, or a loop variable over `['SIGTERM', 'SIGINT']`. */
function signalNames(arg: ts.Expression | undefined, checker: ts.TypeChecker): string[] {
  const literal = stringValue(arg);
  if (literal !== undefined) return /^SIG[A-Z]+$/.test(literal) ? [literal] : [];
  if (!arg || !ts.isIdentifier(unwrap(arg))) return [];
  const decl = checker.getSymbolAtLocation(unwrap(arg))?.valueDeclaration;
  const list = decl && ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && ts.isForOfStatement(decl.parent.parent)
    ? unwrap(decl.parent.parent.expression) : undefined;
  if (!list || !ts.isArrayLiteralExpression(list)) return [];
  return list.elements.map((e) => stringValue(e)).filter((s): s is string => s !== undefined && /^SIG[A-Z]+$/.test(s));
}

function callsClose(handler: ts.Expression | undefined): boolean {
  if (!handler) return false;
  let found = false;
  walk(handler, (n) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(unwrap(n.expression))
      && ['close', 'shutdown'].includes((unwrap(n.expression) as ts.PropertyAccessExpression).name.text)) found = true;
  });
  return found;
}

function recordClass(cls: ts.ClassLikeDeclaration, checker: ts.TypeChecker, facts: AppFacts, listed: ts.Expression[]): void {
  const own = fleetDecorators(cls, checker);
  for (const d of own) facts.decorators.push({ ...d, cls });
  const names = new Set(own.map((d) => d.name));
  if ((names.has('Injectable') || names.has('Controller')) && !isTransient(cls, checker)) facts.singletons.add(cls);
  const module = own.find((d) => d.name === 'Module');
  const meta = module?.args[0] && unwrap(module.args[0]);
  if (meta && ts.isObjectLiteralExpression(meta)) {
    for (const p of meta.properties) {
      const key = memberName(p as ts.PropertyAssignment);
      if (!ts.isPropertyAssignment(p) || (key !== 'providers' && key !== 'controllers')) continue;
      const list = unwrap(p.initializer);
      if (!ts.isArrayLiteralExpression(list)) continue;
      for (const e of list.elements) {
        const item = unwrap(e);
        if (ts.isObjectLiteralExpression(item)) {
          const prop = (name: string) => item.properties.find((q) => ts.isPropertyAssignment(q) && memberName(q) === name) as ts.PropertyAssignment | undefined;
          const useClass = prop('useClass');
          const useValue = prop('useValue');
          if (useClass) listed.push(useClass.initializer);
          if (useValue) facts.providedValues.push({ token: prop('provide')?.initializer.getText() ?? '?', value: useValue.initializer });
        } else listed.push(item);
      }
    }
  }
  const controller = own.find((d) => d.name === 'Controller');
  const prefix = controller ? (stringValue(controller.args[0]) ?? '') : undefined;
  for (const member of cls.members) {
    for (const d of fleetDecorators(member, checker)) {
      facts.decorators.push({ ...d, cls, member });
      const method = HTTP_METHODS[d.name];
      if (method && prefix !== undefined && ts.isMethodDeclaration(member)) {
        facts.routes.push({ method, path: joinPath(prefix, stringValue(d.args[0]) ?? ''), handler: `${cls.name?.text ?? '?'}.${memberName(member)}`, node: member });
      }
    }
  }
}

function joinPath(prefix: string, path: string): string {
  const joined = `/${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

function classOf(expr: ts.Expression, checker: ts.TypeChecker): ts.ClassLikeDeclaration | undefined {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return undefined;
  let symbol = checker.getSymbolAtLocation(e);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  return decl && ts.isClassLike(decl) && !decl.getSourceFile().isDeclarationFile ? decl : undefined;
}

/** `@Injectable({ scope: 'transient' })`: a new instance per injection, never frozen or shared. */
function isTransient(cls: ts.ClassLikeDeclaration, checker: ts.TypeChecker): boolean {
  const injectable = fleetDecorators(cls, checker).find((d) => d.name === 'Injectable');
  const options = injectable?.args[0] && unwrap(injectable.args[0]);
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  return options.properties.some((p) => ts.isPropertyAssignment(p) && memberName(p) === 'scope' && stringValue(p.initializer) === 'transient');
}

function insideClass(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) if (ts.isClassLike(n)) return true;
  return false;
}
