import { Config } from '@fleet/core';
import { z } from 'zod';

export class AppConfig extends Config(z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port'),
  HOST: z.string().default('127.0.0.1').describe('Interface to listen on (0.0.0.0 in containers)'),
  GREETING: z.string().min(1).default('hello').describe('What GET /hello says'),
})) {}
