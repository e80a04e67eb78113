import ts from 'typescript';
import { describeFunction, fleetDecorators, isWriteTarget, memberName, position, stringValue, walk } from '../ast.js';
import type { RuleContext } from '../rule-context.js';
import { stateFix } from '../state-fix.js';
import { containerOf } from '../state-values.js';

/**
 * The fields of singleton providers and controllers, as the boot guard sees them, and what it
 * cannot see: state/allow-state lists each @AllowState opt-out with its reason;
 * state/provider-field flags a field holding a collection or mutable object; state/private-field
 * the same in an ES `#private` field (invisible to the guard, and not frozen);
 * state/field-assigned a field assigned by request code (it throws FLEET_ERR_STATE_FIELD_ASSIGNED
 * once the singleton is frozen).
 */
export function classState(ctx: RuleContext): void {
  for (const sf of ctx.app.sources) {
    walk(sf, (node) => {
      if (ts.isClassLike(node)) auditClass(node, ctx);
    });
  }
  // { provide: CART_STORE, useValue: new Map() }: the guard reports a provided container too.
  for (const { token, value } of ctx.facts.providedValues) {
    const container = containerOf(value);
    if (!container || container === 'frozen' || /mutable object/.test(container.label)) continue;
    ctx.report('state/provider-field', value, `the provider ${token} is ${container.label} (useValue): the boot guard refuses it (FLEET_ERR_STATE_IN_MEMORY), and each instance would keep its own copy.`,
      stateFix(token, container.cache));
  }
}

function auditClass(cls: ts.ClassLikeDeclaration, ctx: RuleContext): void {
  const className = cls.name?.text ?? 'an anonymous class';
  const classOptOut = fleetDecorators(cls, ctx.checker).find((d) => d.name === 'AllowState');
  if (classOptOut) {
    ctx.report('state/allow-state', classOptOut.node, `${className}: @AllowState(${reasonOf(classOptOut.args[0])}) on the class: none of its fields are checked or frozen.`,
      'none required; the opt-out is listed so it stays visible. Remove it once the state moves to Redis or PostgreSQL.');
    return;
  }
  const allowed = new Set<string>();
  for (const member of cls.members) {
    const optOut = fleetDecorators(member, ctx.checker).find((d) => d.name === 'AllowState');
    if (!optOut) continue;
    const name = memberName(member as ts.PropertyDeclaration) ?? '[computed]';
    allowed.add(name);
    ctx.report('state/allow-state', optOut.node, `${className}.${name}: @AllowState(${reasonOf(optOut.args[0])}): this field may hold state and stays writable.`,
      'none required; the opt-out is listed so it stays visible. Remove it once the state moves to Redis or PostgreSQL.');
  }
  if (!ctx.facts.singletons.has(cls)) return;

  const reported = new Set<string>();
  const flag = (field: string, node: ts.Node, label: string, isCache: boolean, when: string) => {
    if (reported.has(field) || allowed.has(field)) return;
    reported.add(field);
    const isPrivate = field.startsWith('#');
    ctx.report(isPrivate ? 'state/private-field' : 'state/provider-field', node,
      isPrivate
        ? `${className}.${field} holds ${label} (${when}). The boot guard cannot see #private fields and freezing does not protect them: every instance keeps its own copy.`
        : `${className}.${field} holds ${label} (${when}): the boot guard refuses it (FLEET_ERR_STATE_IN_MEMORY), and each instance would keep its own copy.`,
      privateFix(stateFix(field, isCache), isPrivate));
  };

  for (const member of cls.members) {
    if (!ts.isPropertyDeclaration(member) || ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) continue;
    const container = containerOf(member.initializer);
    const name = memberName(member);
    if (name && container && container !== 'frozen') flag(name, member.name, container.label, container.cache, 'initialised in its declaration');
  }

  // Assignments to this.<field>: with a container in the constructor or onInit, or anything later.
  // Assigning through a setter is a call, not a field write.
  const setters = new Set(cls.members.filter(ts.isSetAccessorDeclaration).map((m) => memberName(m)));
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member) && ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) continue;
    walk(member, (node) => {
      if (!ts.isPropertyAccessExpression(node) || node.expression.kind !== ts.SyntaxKind.ThisKeyword || !ownThis(node, member)) return;
      const field = node.name.text;
      if (!isWriteTarget(node) || setters.has(field)) return;
      const assignment = node.parent as ts.BinaryExpression;
      const value = ts.isBinaryExpression(assignment) ? containerOf(assignment.right) : undefined;
      // The constructor, onInit, and what only they call, run before the singleton is frozen.
      const boot = ctx.contexts.of(node).runs !== 'request';
      if (boot) {
        if (value && value !== 'frozen') flag(field, node, value.label, value.cache, `assigned in ${describeFunction(member)}`);
        return;
      }
      if (reported.has(field) || allowed.has(field)) return;
      reported.add(field);
      const where = `${describeFunction(ctx.contexts.of(node).fn ?? member)}, line ${position(node).line}`;
      if (field.startsWith('#')) {
        ctx.report('state/private-field', node, `${className}.${field} is reassigned by request code (${where}). The boot guard cannot see #private fields and freezing does not protect them: the value differs between instances.`,
          privateFix(stateFix(field), true));
      } else {
        ctx.report('state/field-assigned', node, `${className}.${field} is assigned by request code (${where}): singletons are frozen after boot, so this throws FLEET_ERR_STATE_FIELD_ASSIGNED (and would differ between instances).`,
          stateFix(field));
      }
    });
  }
}

/** `this` in `node` is the class instance: no ordinary `function` between the member and the node. */
function ownThis(node: ts.Node, member: ts.ClassElement): boolean {
  for (let n = node.parent; n && n !== member; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n)) return false;
  }
  return true;
}

/** #private fields cannot be decorated: a per-instance value needs a normal field to carry @AllowState. */
function privateFix(fix: string, isPrivate: boolean): string {
  if (!isPrivate) return fix;
  return fix.includes('@AllowState') ? fix.replace('make it a provider field marked', 'make it a normal (not #private) field marked')
    : `${fix} If it is truly per-instance, make it a normal (not #private) field marked @AllowState('reason').`;
}

function reasonOf(arg: ts.Expression | undefined): string {
  const text = stringValue(arg);
  return text !== undefined ? `'${text}'` : arg ? arg.getText() : '';
}
