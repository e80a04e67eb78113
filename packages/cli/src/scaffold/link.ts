import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import type { FleetCheckout } from './new-project/index.js';

const PACKAGES = { core: '@fleet/core', testing: '@fleet/testing', cli: '@fleet/cli' } as const;

/** The Fleet checkout at `root`, checked: each package is there and built (its `dist/` is what gets installed). */
export function checkoutAt(root: string): FleetCheckout {
  const checkout = { root, core: join(root, 'packages/core'), testing: join(root, 'packages/testing'), cli: join(root, 'packages/cli') };
  const problems: string[] = [];
  for (const [key, name] of Object.entries(PACKAGES) as Array<[keyof typeof PACKAGES, string]>) {
    const dir = checkout[key];
    if (packageName(dir) !== name) problems.push(`${dir} is not ${name}`);
    else if (!existsSync(join(dir, 'dist/index.js'))) problems.push(`${name} is not built (no ${join(dir, 'dist/index.js')})`);
  }
  if (problems.length > 0) {
    throw new CliError('FLEET_ERR_CLI_LINK_INVALID', `--link ${root} is not a built Fleet checkout: ${problems.join('; ')}.`, {
      hint: 'Fix: pass the root folder of a Fleet checkout (the one with packages/core), and build it there first: npm run build.',
    });
  }
  return checkout;
}

/**
 * The Fleet checkout to link automatically: the one containing `cwd`, else the one this CLI runs
 * from (until the packages are published, fleet runs from a checkout). Undefined when neither.
 */
export function findCheckout(cwd: string): string | undefined {
  return checkoutAbove(cwd) ?? checkoutAbove(dirname(fileURLToPath(import.meta.url)));
}

function checkoutAbove(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (packageName(join(dir, 'packages/core')) === PACKAGES.core && packageName(join(dir, 'packages/cli')) === PACKAGES.cli) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function packageName(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
