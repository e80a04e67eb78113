import ts from 'typescript';
import { describeFunction, walk } from '../ast.js';
import { packageRef, refIs } from '../imports.js';
import type { RuleContext } from '../rule-context.js';

const WRITES = ['writeFile', 'appendFile', 'createWriteStream', 'mkdir', 'copyFile', 'cp', 'rename', 'symlink', 'link', 'truncate'];
const FS = ['fs', 'fs-extra', 'graceful-fs'];

/**
 * disk/write-in-request: request code that writes files (`fs` and `fs/promises` writeFile,
 * appendFile, createWriteStream, mkdir, copyFile, cp, rename..., sync or not). The next
 * request may reach another instance, and a replaced instance takes its disk with it.
 * Scratch files under `os.tmpdir()` are allowed.
 */
export function diskWrites(ctx: RuleContext): void {
  for (const sf of ctx.app.sources) {
    walk(sf, (node) => {
      if (!ts.isCallExpression(node)) return;
      const ref = packageRef(node.expression, ctx.checker);
      if (!ref || ref.path.length !== 1) return;
      const name = ref.path[0]!;
      const base = name.replace(/Sync$/, '');
      const isWrite = (FS.includes(ref.module) && WRITES.includes(base)) || (ref.module === 'fs/promises' && WRITES.includes(name) && base === name);
      if (!isWrite || usesTmpdir(node.arguments[0], ctx)) return;
      const where = ctx.contexts.of(node);
      if (where.runs !== 'request') return;
      ctx.report('disk/write-in-request', node,
        `${ref.module}.${name} in ${describeFunction(where.fn)} writes to this instance's local disk: the next request may reach another instance, and the file is lost when this one is replaced.`,
        'store files in object storage (S3, GCS, Azure Blob, MinIO) and keep their keys in PostgreSQL; a scratch file belongs under os.tmpdir() and is deleted before the request ends.');
    });
  }
}

/** The path argument is built from `os.tmpdir()`, directly or through constants (`const file = join(tmpdir(), name)`). */
function usesTmpdir(arg: ts.Expression | undefined, ctx: RuleContext, depth = 0): boolean {
  if (!arg || depth > 3) return false;
  let found = false;
  walk(arg, (n) => {
    if (found) return;
    if (ts.isCallExpression(n) && refIs(packageRef(n.expression, ctx.checker), 'os', 'tmpdir')) found = true;
    else if (ts.isIdentifier(n)) {
      const decl = ctx.checker.getSymbolAtLocation(n)?.valueDeclaration;
      if (decl && ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const && decl.initializer) {
        found = usesTmpdir(decl.initializer, ctx, depth + 1);
      }
    }
  });
  return found;
}
