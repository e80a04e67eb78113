import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import type { FleetCheckout } from './new-project/index.js';

const PACKAGES = { core: '@fleet/core', testing: '@fleet/testing', cli: '@fleet/cli' } as const;

/**
 * The Fleet checkout at `root`, checked: each package is there and built (its `dist/` is what gets
 * installed). A core bundle older than core's tsc build is rebuilt first (see `staleBundle`).
 */
export function checkoutAt(root: string): FleetCheckout {
  const checkout = { root, core: join(root, 'packages/core'), testing: join(root, 'packages/testing'), cli: join(root, 'packages/cli') };
  const problems: string[] = [];
  for (const [key, name] of Object.entries(PACKAGES) as Array<[keyof typeof PACKAGES, string]>) {
    const dir = checkout[key];
    if (packageName(dir) !== name) problems.push(`${dir} is not ${name}`);
    else if (!existsSync(join(dir, 'dist/index.js'))) problems.push(`${name} is not built (no ${join(dir, 'dist/index.js')})`);
  }
  if (problems.length === 0 && staleBundle(checkout.core)) {
    // What `npm pack` does through core's prepack script; npm's install-links packing does not run it.
    const rebuilt = spawnSync(process.execPath, [join(root, 'scripts/bundle-core.mjs')], { cwd: root, encoding: 'utf8' });
    if (rebuilt.status !== 0 || staleBundle(checkout.core)) {
      problems.push(`the @fleet/core bundle (${join(checkout.core, 'dist/bundle')}) was not made from its current tsc build and could not be rebuilt ` +
        `(${(rebuilt.stderr || rebuilt.error?.message || 'still stale').trim().split('\n')[0]}); a packed copy would load the bundle's older code: run npm run build -w @fleet/core, or delete that folder`);
    }
  }
  if (problems.length > 0) {
    throw new CliError('FLEET_ERR_CLI_LINK_INVALID', `--link ${root} is not a built Fleet checkout: ${problems.join('; ')}.`, {
      hint: 'Fix: pass the root folder of a Fleet checkout (the one with packages/core), and build it there first: npm run build.',
    });
  }
  return checkout;
}

/**
 * Whether core's dist/bundle was made from another tsc build than the one beside it. The package
 * entry tells by a digest of the .tsbuildinfo, which a packed copy does not have: it then trusts
 * the bundle, so a stale one must not be packed (decisions 006 and 081).
 */
function staleBundle(core: string): boolean {
  const stampFile = join(core, 'dist/bundle/build.json');
  if (!existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { tscBuild?: unknown };
    return stamp.tscBuild !== createHash('sha256').update(readFileSync(join(core, 'tsconfig.tsbuildinfo'))).digest('hex');
  } catch {
    return true;
  }
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
