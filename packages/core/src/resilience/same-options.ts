/**
 * Whether two resolved options describe the same breaker, compartment or limit. Functions compare
 * by source text (the same inline arrow in two decorators is two objects); `fallback` is per method.
 */
export function sameOptions(a: object, b: object): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'fallback'));
  return [...keys].every((k) => {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    return Object.is(x, y) || (typeof x === 'function' && typeof y === 'function' && String(x) === String(y));
  });
}
