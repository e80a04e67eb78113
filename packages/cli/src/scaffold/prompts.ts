import * as clack from '@clack/prompts';
import type { CliIo } from '../command.js';
import { packageNameProblem } from './names.js';
import { FEATURES, PACKAGE_MANAGERS, type Feature, type PackageManager } from './new-project/index.js';

/** The choices of `fleet new` that flags can leave open. */
export interface NewChoices {
  name?: string;
  packageManager?: PackageManager;
  features?: Feature[];
  install?: boolean;
}

/**
 * Whether `fleet new` may ask: only when its output is the real terminal and the terminal can
 * answer (stdin and stdout are TTYs). Pipes, CI logs and tests get no prompts.
 */
export function canPrompt(io: CliIo): boolean {
  return io.stdout === process.stdout && process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/**
 * Asks for each choice the flags left open, in the terminal (@clack/prompts); `defaults` are
 * preselected. Undefined when the user cancels (Ctrl-C or Escape).
 */
export async function askChoices(known: NewChoices, defaults: Required<Omit<NewChoices, 'name'>>): Promise<Required<NewChoices> | undefined> {
  clack.intro('fleet new');
  const name = known.name ?? await clack.text({
    message: 'Project name (a folder of that name is created)',
    placeholder: 'orders-api',
    validate: (value) => {
      const problem = packageNameProblem(value ?? '');
      return problem ? `The name ${problem}` : undefined;
    },
  });
  if (clack.isCancel(name)) return undefined;

  const packageManager = known.packageManager ?? await clack.select<PackageManager>({
    message: 'Package manager',
    options: PACKAGE_MANAGERS.map((pm) => ({ value: pm, label: pm })),
    initialValue: defaults.packageManager,
  });
  if (clack.isCancel(packageManager)) return undefined;

  const features = known.features ?? await clack.multiselect<Feature>({
    message: 'Sample features (space to toggle, enter to confirm; none needs no services)',
    options: (Object.keys(FEATURES) as Feature[]).map((f) => ({ value: f, label: f, hint: FEATURES[f] })),
    initialValues: defaults.features,
    required: false,
  });
  if (clack.isCancel(features)) return undefined;

  const install = known.install ?? await clack.confirm({ message: `Install the dependencies now (${packageManager} install)?`, initialValue: defaults.install });
  if (clack.isCancel(install)) return undefined;

  return { name, packageManager, features, install };
}

export const cancelled = (message: string) => clack.cancel(message);
export const outro = (message: string) => clack.outro(message);
export const note = (message: string, title: string) => clack.note(message, title);
export const spinner = () => clack.spinner();
