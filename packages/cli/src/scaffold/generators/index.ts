import { controllerGenerator } from './controller.js';
import { jobGenerator } from './job.js';
import { moduleGenerator } from './module.js';
import { repositoryGenerator } from './repository.js';
import { serviceGenerator } from './service.js';
import type { Generator } from './types.js';

export type { Generator, GeneratorInput, GeneratorOutput } from './types.js';

/** The kinds of `fleet generate`, in the order its help lists them. */
export const GENERATORS: readonly Generator[] = [controllerGenerator, serviceGenerator, repositoryGenerator, moduleGenerator, jobGenerator];
