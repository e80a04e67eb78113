import type { ModuleEntry, ModuleList } from '../module-edit.js';
import type { Names } from '../names.js';
import type { PlannedFile } from '../file-plan.js';
import type { Project } from '../project.js';

/** What a generator knows about the class it writes. */
export interface GeneratorInput {
  project: Project;
  /** Names of the element: `orders` for `fleet g service billing/orders`. */
  names: Names;
  /** The folder its files go into (absolute). */
  dir: string;
  /** The class name, e.g. `OrdersService`. */
  className: string;
  /** Its file (absolute), e.g. `<dir>/orders.service.ts`. */
  file: string;
}

/** What a generator adds besides its own file and test. */
export interface GeneratorOutput {
  /** The class file, its test, and any other new file (a migration). */
  files: PlannedFile[];
  /** Modules to edit other than the one the class is registered in: `{ file: root module, entries }`. */
  moduleEdits?: Array<{ file: string; entries: ModuleEntry[] }>;
  /** Lines printed after the files, e.g. what the user must start. */
  notes?: string[];
}

/** One kind of `fleet generate`. */
export interface Generator {
  kind: string;
  /** One line for `fleet generate --help`. */
  summary: string;
  /** `service` -> `orders.service.ts` and class `OrdersService`. */
  suffix: string;
  /** The @Module list the class is registered in. */
  list: ModuleList;
  generate(input: GeneratorInput): GeneratorOutput;
}
