/**
 * Names derived from what the user typed: `order-items`, `orderItems`, `OrderItems` and
 * `order_items` all mean the words ["order", "items"].
 */
export interface Names {
  /** `order-items`: file and folder names, URL paths. */
  kebab: string;
  /** `OrderItems`: class names. */
  pascal: string;
  /** `orderItems`: variables. */
  camel: string;
  /** `order_items`: SQL tables. */
  snake: string;
}

/** The words of a name, lower-cased; camelCase humps, `-`, `_`, `.` and spaces separate words. */
export function words(input: string): string[] {
  return input
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export function names(input: string): Names {
  const parts = words(input);
  const pascal = parts.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return { kebab: parts.join('-'), pascal, camel: pascal[0]!.toLowerCase() + pascal.slice(1), snake: parts.join('_') };
}

/** A name a generator accepts: a letter first, then letters, digits, `-` and `_`. */
export const ELEMENT_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * npm's rules for a package name (lower case, URL-safe, at most 214 characters), optionally scoped;
 * the folder is the part after the scope.
 */
export const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** Why `name` cannot be an npm package name, or undefined when it can. */
export function packageNameProblem(name: string): string | undefined {
  if (name.length > 214) return 'is longer than 214 characters';
  if (!PACKAGE_NAME.test(name)) return 'must be lower case: letters, digits, "-", "." or "_" (an npm package name, optionally @scope/name)';
  if (['node_modules', 'favicon.ico'].includes(name)) return 'is reserved by npm';
  return undefined;
}
