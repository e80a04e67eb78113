import ts from 'typescript';
import { CliError } from '../errors.js';

/** One list of `@Module({ ... })`. */
export type ModuleList = 'imports' | 'controllers' | 'providers' | 'exports';

/** Something to register in a module: an entry of one of its lists, and the import it needs. */
export interface ModuleEntry {
  list: ModuleList;
  /** The expression to add to the list: `OrdersService`, or `DatabaseModule.forRoot({ ... })`. */
  expression: string;
  /** The imported name the expression uses; an entry starting with it counts as already there. */
  name: string;
  /** Where `name` is imported from: `./orders/orders.service.js`, `@fleet/core`. */
  from: string;
}

export interface ModuleEditResult {
  /** The edited source (the input when nothing changed). */
  text: string;
  /** The decorated class that was edited. */
  moduleClass: string;
  /** Entries that were already listed, left as they were. */
  alreadyListed: ModuleEntry[];
}

/** A text insertion at an offset of the original source. */
interface Insertion {
  at: number;
  text: string;
}

/**
 * Adds entries to the `@Module({ ... })` of a TypeScript file, and the imports they need. The
 * edit points come from the syntax tree (the decorator's object literal, its array literals, the
 * import declarations); the rest of the file, comments and formatting included, is kept byte
 * for byte, and the new text follows the layout around it (one line or one entry per line,
 * trailing commas, quotes, semicolons). The result is parsed again and checked.
 */
export function addToModule(source: string, fileName: string, entries: readonly ModuleEntry[]): ModuleEditResult {
  const file = parse(source, fileName);
  const { cls, call } = findModuleClass(file, fileName);
  const moduleClass = cls.name!.text;
  const insertions: Insertion[] = [];
  const alreadyListed: ModuleEntry[] = [];

  const byList = new Map<ModuleList, ModuleEntry[]>();
  for (const entry of entries) byList.set(entry.list, [...(byList.get(entry.list) ?? []), entry]);

  const metadata = call.arguments[0];
  if (metadata === undefined) {
    const props = [...byList].map(([list, es]) => `${list}: [${es.map((e) => e.expression).join(', ')}]`).join(', ');
    insertions.push({ at: call.arguments.pos, text: `{ ${props} }` });
  } else {
    if (!ts.isObjectLiteralExpression(metadata)) throw notEditable(fileName, moduleClass, 'its @Module() argument is not an object literal');
    const missing: string[] = [];
    for (const [list, listEntries] of byList) {
      const property = findProperty(metadata, list, fileName, moduleClass);
      if (property === undefined) {
        missing.push(`${list}: [${listEntries.map((e) => e.expression).join(', ')}]`);
        continue;
      }
      if (!ts.isArrayLiteralExpression(property.initializer)) {
        throw notEditable(fileName, moduleClass, `its "${list}" is not an array literal (${truncate(property.initializer.getText(file))})`);
      }
      const array = property.initializer;
      const fresh = listEntries.filter((e) => {
        const listed = array.elements.some((el) => rootIdentifier(el) === e.name);
        if (listed) alreadyListed.push(e);
        return !listed;
      });
      if (fresh.length > 0) insertions.push(...appendToList(file, array.getStart(file), array.elements, fresh.map((e) => e.expression)));
    }
    if (missing.length > 0) {
      if (metadata.properties.some((p) => ts.isSpreadAssignment(p))) {
        throw notEditable(fileName, moduleClass, `its metadata spreads another object, which may already hold ${missing.map((m) => m.split(':')[0]).join(', ')}`);
      }
      insertions.push(...appendToList(file, metadata.getStart(file), metadata.properties, missing));
    }
  }

  const toImport = entries.filter((e) => !alreadyListed.includes(e));
  insertions.push(...importInsertions(file, fileName, toImport));
  const text = apply(source, insertions);
  if (text !== source) verify(text, fileName, entries);
  return { text, moduleClass, alreadyListed };
}

function parse(source: string, fileName: string): ts.SourceFile {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems = (file as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (problems.length > 0) {
    const first = problems[0]!;
    const { line } = file.getLineAndCharacterOfPosition(first.start ?? 0);
    throw new CliError('FLEET_ERR_CLI_MODULE_EDIT', `${fileName} does not parse (line ${line + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}), so it is not edited.`, {
      hint: 'Fix: correct the syntax error, then run the generator again.',
    });
  }
  return file;
}

/** The one class of the file decorated with `@Module(...)`, and that decorator call. */
function findModuleClass(file: ts.SourceFile, fileName: string): { cls: ts.ClassDeclaration; call: ts.CallExpression } {
  const found: Array<{ cls: ts.ClassDeclaration; call: ts.CallExpression }> = [];
  for (const statement of file.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    for (const decorator of ts.getDecorators(statement) ?? []) {
      const call = decorator.expression;
      if (ts.isCallExpression(call) && calleeName(call.expression) === 'Module') found.push({ cls: statement, call });
    }
  }
  if (found.length === 1) return found[0]!;
  throw new CliError('FLEET_ERR_CLI_MODULE_EDIT', found.length === 0
    ? `${fileName} has no class decorated with @Module(...).`
    : `${fileName} has ${found.length} @Module classes (${found.map((f) => f.cls.name!.text).join(', ')}); fleet generate edits files with one.`, {
    hint: 'Fix: pass --module <file> with the module to register the class in, or --skip-register.',
  });
}

function calleeName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

function findProperty(metadata: ts.ObjectLiteralExpression, list: ModuleList, fileName: string, moduleClass: string): ts.PropertyAssignment | undefined {
  for (const property of metadata.properties) {
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === list) {
      throw notEditable(fileName, moduleClass, `its "${list}" is a variable (shorthand property), not an array literal`);
    }
    if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === list) return property;
  }
  return undefined;
}

/** `OrdersService` for `OrdersService`, `DatabaseModule` for `DatabaseModule.forRoot(...)`, `forwardRef` for `forwardRef(() => X)`. */
function rootIdentifier(node: ts.Node): string | undefined {
  let current: ts.Node = node;
  for (;;) {
    if (ts.isIdentifier(current)) return current.text;
    if (ts.isCallExpression(current)) current = current.expression;
    else if (ts.isPropertyAccessExpression(current)) current = current.expression;
    else return undefined;
  }
}

/**
 * Appends items to an array literal or object literal (`opening` is the offset of its `[` or `{`),
 * in its layout: `[A]` -> `[A, B]`; one item per line stays one per line at the same indent,
 * keeping a trailing comma; `[]` -> `[B]`, `{}` -> `{ b: [B] }`.
 */
function appendToList(file: ts.SourceFile, opening: number, items: ts.NodeArray<ts.Node>, added: string[]): Insertion[] {
  const text = file.text;
  const isObject = text[opening] === '{';
  if (items.length === 0) {
    const inner = text.slice(opening + 1, items.end);
    const body = added.join(', ');
    // Replace only blank space between the brackets; anything else (a comment) stays after the new items.
    return [/^\s*$/.test(inner) ? { at: opening + 1, text: isObject ? ` ${body} ` : body } : { at: opening + 1, text: isObject ? ` ${body},` : `${body}, ` }];
  }
  const last = items[items.length - 1]!;
  const lineOf = (pos: number) => file.getLineAndCharacterOfPosition(pos).line;
  const onePerLine = lineOf(items[0]!.getStart(file)) > lineOf(opening);
  if (!onePerLine) return [{ at: last.end, text: added.map((a) => `, ${a}`).join('') }];

  const lineStart = file.getPositionOfLineAndCharacter(lineOf(last.getStart(file)), 0);
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  let after = last.end;
  while (after < text.length && /[ \t]/.test(text[after]!)) after++;
  const trailingComma = text[after] === ',';
  // A comment after the last item (`HelloModule, // greetings`) stays on its line.
  const lineEnd = endOfTrailingComments(text, trailingComma ? after + 1 : last.end);
  const lines = added.map((a, i) => `\n${indent}${a}${trailingComma || i < added.length - 1 ? ',' : ''}`).join('');
  return trailingComma ? [{ at: lineEnd, text: lines }] : [{ at: last.end, text: ',' }, { at: lineEnd, text: lines }];
}

function endOfTrailingComments(text: string, from: number): number {
  const comments = ts.getTrailingCommentRanges(text, from) ?? [];
  return comments.length > 0 && comments.every((c) => !text.slice(from, c.end).includes('\n')) ? comments[comments.length - 1]!.end : from;
}

/** Named imports for the entries: merged into an import of the same module when there is one. */
function importInsertions(file: ts.SourceFile, fileName: string, entries: readonly ModuleEntry[]): Insertion[] {
  const imports = file.statements.filter(ts.isImportDeclaration);
  const insertions: Insertion[] = [];
  const fresh = new Map<string, string[]>();
  for (const entry of uniqueBy(entries, (e) => `${e.name}\0${e.from}`)) {
    const bound = imports.find((d) => importedNames(d).includes(entry.name));
    if (bound) {
      const from = (bound.moduleSpecifier as ts.StringLiteral).text;
      if (from === entry.from && !bound.importClause?.isTypeOnly) continue;
      throw new CliError('FLEET_ERR_CLI_MODULE_EDIT', `${fileName} already imports a "${entry.name}" from '${from}'${from === entry.from ? ' as a type only' : ''}; it would clash with the new ${entry.name} from '${entry.from}'.`, {
        hint: from === entry.from ? 'Fix: import it as a value (import { X }, not import type { X }).' : 'Fix: choose another name for the generated class, or rename the existing import.',
      });
    }
    const target = imports.find((d) => (d.moduleSpecifier as ts.StringLiteral).text === entry.from && !d.importClause?.isTypeOnly
      && d.importClause?.namedBindings !== undefined && ts.isNamedImports(d.importClause.namedBindings));
    if (target) {
      const named = target.importClause!.namedBindings as ts.NamedImports;
      insertions.push(named.elements.length === 0
        ? { at: named.elements.pos, text: ` ${entry.name} ` }
        : { at: named.elements[named.elements.length - 1]!.end, text: `, ${entry.name}` });
    } else {
      fresh.set(entry.from, [...(fresh.get(entry.from) ?? []), entry.name]);
    }
  }
  if (fresh.size === 0) return insertions;

  const lastImport = imports[imports.length - 1];
  const quote = lastImport ? lastImport.moduleSpecifier.getText(file)[0]! : "'";
  const semicolon = lastImport ? (file.text[lastImport.end - 1] === ';' ? ';' : '') : ';';
  const lines = [...fresh].map(([from, list]) => `import { ${list.join(', ')} } from ${quote}${from}${quote}${semicolon}`);
  insertions.push(lastImport
    ? { at: lastImport.end, text: lines.map((l) => `\n${l}`).join('') }
    : { at: 0, text: `${lines.join('\n')}\n\n` });
  return insertions;
}

function importedNames(declaration: ts.ImportDeclaration): string[] {
  const clause = declaration.importClause;
  if (!clause) return [];
  const names = clause.name ? [clause.name.text] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
  if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => e.name.text));
  return names;
}

function apply(source: string, insertions: readonly Insertion[]): string {
  // Later offsets first, so earlier offsets stay valid; at one offset, in the order given.
  const ordered = insertions.map((ins, i) => ({ ...ins, i })).sort((a, b) => b.at - a.at || b.i - a.i);
  let text = source;
  for (const { at, text: insert } of ordered) text = text.slice(0, at) + insert + text.slice(at);
  return text;
}

/** The edited file parses, and its module lists every entry: a guard against a wrong edit point. */
function verify(text: string, fileName: string, entries: readonly ModuleEntry[]): void {
  const file = parse(text, fileName);
  const { call } = findModuleClass(file, fileName);
  const metadata = call.arguments[0];
  for (const entry of entries) {
    const property = metadata && ts.isObjectLiteralExpression(metadata) ? metadata.properties.find((p): p is ts.PropertyAssignment =>
      ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === entry.list) : undefined;
    const listed = property && ts.isArrayLiteralExpression(property.initializer) && property.initializer.elements.some((el) => rootIdentifier(el) === entry.name);
    const imported = file.statements.some((s) => ts.isImportDeclaration(s) && importedNames(s).includes(entry.name));
    if (!listed || !imported) throw new Error(`fleet generate: editing ${fileName} did not register ${entry.name} in ${entry.list} (a bug in fleet; the file was not written).`);
  }
}

function notEditable(fileName: string, moduleClass: string, why: string): CliError {
  return new CliError('FLEET_ERR_CLI_MODULE_EDIT', `${moduleClass} in ${fileName} cannot be edited safely: ${why}.`, {
    hint: 'Fix: make the list an array literal in @Module({ ... }), pass --module <file> with another module, or pass --skip-register and add the class by hand.',
  });
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))));
}

function truncate(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 37)}...` : line;
}
