import { isDynamicModule, readModule } from './module-def.js';
import { unwrapRef } from './tokens.js';

/**
 * Every module class reachable from `root` through imports (static, dynamic, async and forwardRef
 * imports), without building anything: for tools that need to know what an app uses (e.g.
 * @fleet/testing isolates a database only when the app imports DatabaseModule).
 */
export async function moduleTree(root: unknown): Promise<Set<Function>> {
  const seen = new Set<Function>();
  const visit = async (entry: unknown): Promise<void> => {
    const resolved: unknown = await unwrapRef(entry as never);
    const cls = (isDynamicModule(resolved) ? resolved.module : resolved) as Function;
    if (typeof cls !== 'function') return;
    const meta = readModule(cls);
    const fresh = !seen.has(cls);
    seen.add(cls);
    const imports = [...(fresh ? meta?.imports ?? [] : []), ...(isDynamicModule(resolved) ? resolved.imports ?? [] : [])];
    for (const imp of imports) await visit(imp);
  };
  await visit(root);
  return seen;
}
