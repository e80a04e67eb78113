import ts from 'typescript';
import { at, describeFunction, fleetDecorators, memberName, position, walk } from '../ast.js';
import type { CodeContext } from '../contexts.js';
import type { RuleContext } from '../rule-context.js';
import { stateFix } from '../state-fix.js';
import { containerOf, useOf, type Container, type Use } from '../state-values.js';

interface Candidate {
  decl: ts.VariableDeclaration | ts.PropertyDeclaration;
  /** `sessions`, or `Cls.field` for a static field. */
  name: string;
  isStatic: boolean;
  container?: Container;
  /** Uses from request code. */
  uses: Array<{ node: ts.Node; use: Use; ctx: CodeContext }>;
  /** Changed at import or boot (filled once, e.g. a table built at startup). */
  filledAtInit: boolean;
}

/**
 * state/module-collection, state/module-mutable, state/static-field: variables of a module
 * and static fields of classes live once per process, so request code that changes them keeps
 * state on one instance. Each is judged by its uses: a `let` reassigned by request code; a
 * collection or object changed by request code (or created empty and used by it). Constants
 * frozen with Object.freeze or `as const`, and values only touched at import or boot, pass.
 */
export function moduleState(ctx: RuleContext): void {
  const candidates = new Map<ts.Node, Candidate>();
  for (const sf of ctx.app.sources) {
    for (const statement of sf.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const decl of statement.declarationList.declarations) {
        if (!ts.isIdentifier(decl.name)) continue;
        const container = containerOf(decl.initializer);
        if (container === 'frozen' || (isConst && !container)) continue;
        candidates.set(decl, { decl, name: decl.name.text, isStatic: false, ...(container ? { container } : {}), uses: [], filledAtInit: false });
      }
    }
    walk(sf, (node) => {
      if (!ts.isPropertyDeclaration(node) || !(ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Static)) return;
      const cls = node.parent;
      if (!ts.isClassLike(cls) || optedOut(cls, ctx) || optedOut(node, ctx)) return;
      const container = containerOf(node.initializer);
      const readonly = (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Readonly) !== 0;
      if (container === 'frozen' || (readonly && !container)) return;
      candidates.set(node, { decl: node, name: `${cls.name?.text ?? 'class'}.${memberName(node)}`, isStatic: true, ...(container ? { container } : {}), uses: [], filledAtInit: false });
    });
  }
  if (candidates.size === 0) return;

  for (const sf of ctx.app.sources) {
    walk(sf, (node) => {
      if (!ts.isIdentifier(node) && !ts.isPrivateIdentifier(node)) return;
      let symbol = ctx.checker.getSymbolAtLocation(node);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = ctx.checker.getAliasedSymbol(symbol);
      const decl = symbol?.valueDeclaration;
      const candidate = decl && candidates.get(decl);
      if (!candidate || (decl as ts.NamedDeclaration).name === node) return;
      // A static field is used through `Cls.field` / `this.field`; a variable by its name.
      const ref = candidate.isStatic ? (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node ? node.parent : undefined) : node;
      if (!ref) return;
      const where = ctx.contexts.of(ref);
      const use = useOf(ref as ts.Expression);
      if (where.runs === 'request') candidate.uses.push({ node: ref, use, ctx: where });
      else if (use !== 'read') candidate.filledAtInit = true;
    });
  }

  const where = (use: { node: ts.Node; ctx: CodeContext }, decl: ts.Node) => use.node.getSourceFile() === decl.getSourceFile()
    ? `${describeFunction(use.ctx.fn)}, line ${position(use.node).line}` : `${describeFunction(use.ctx.fn)} at ${at(use.node, ctx.app.shown)}`;
  for (const c of candidates.values()) {
    // The clearest evidence first: a named method or function, then callbacks.
    c.uses.sort((a, b) => Number(describeFunction(a.ctx.fn) === 'a callback') - Number(describeFunction(b.ctx.fn) === 'a callback'));
    const changed = c.uses.find((u) => u.use !== 'read');
    const decl = c.decl;
    const target = decl.name;
    if (c.container) {
      // Created empty and never visibly filled at startup: whoever fills it is request code (perhaps through a helper).
      const use = changed ?? (c.container.empty && !c.filledAtInit ? c.uses[0] : undefined);
      if (!use) continue;
      const what = c.isStatic ? `static field ${c.name} (${c.container.label})` : `module-level "${c.name}" (${c.container.label})`;
      const how = use.use === 'read' ? 'created empty and used' : 'changed';
      const frozen = c.container.frozenShell ? ' Object.freeze does not stop set/add/delete on a Map or Set.' : '';
      ctx.report(c.isStatic ? 'state/static-field' : 'state/module-collection', target,
        `${what} is ${how} by request code (${where(use, decl)}): each instance keeps its own copy, and a restart loses it.${frozen}`,
        stateFix(c.name, c.container.cache));
      continue;
    }
    const reassigned = c.uses.find((u) => u.use === 'reassign');
    if (!reassigned) continue;
    const what = c.isStatic ? `static field ${c.name}` : `module-level ${letOrVar(decl)} "${c.name}"`;
    ctx.report(c.isStatic ? 'state/static-field' : 'state/module-mutable', target,
      `${what} is reassigned by request code (${where(reassigned, decl)}): its value differs between instances and resets on restart.`,
      stateFix(c.name));
  }
}

function letOrVar(decl: ts.VariableDeclaration | ts.PropertyDeclaration): string {
  return ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && !(decl.parent.flags & ts.NodeFlags.Let) ? 'var' : 'let';
}

function optedOut(node: ts.Node, ctx: RuleContext): boolean {
  return fleetDecorators(node, ctx.checker).some((d) => d.name === 'AllowState');
}
