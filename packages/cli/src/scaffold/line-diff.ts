/**
 * The lines that differ between two small texts, as `- old` / `+ new`, with one line of context
 * around each change (a longest-common-subsequence diff; module files are a few dozen lines).
 */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Array<{ kind: ' ' | '-' | '+'; line: string }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { ops.push({ kind: ' ', line: a[i]! }); i++; j++; }
    else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) { ops.push({ kind: '-', line: a[i]! }); i++; }
    else { ops.push({ kind: '+', line: b[j]! }); j++; }
  }
  const near = (k: number) => ops.slice(Math.max(0, k - 1), k + 2).some((op) => op.kind !== ' ');
  const out: string[] = [];
  let skipped = false;
  ops.forEach((op, k) => {
    if (op.kind !== ' ' || near(k)) {
      if (skipped && out.length > 0) out.push('...');
      skipped = false;
      out.push(`${op.kind} ${op.line}`.trimEnd());
    } else {
      skipped = true;
    }
  });
  return out;
}
