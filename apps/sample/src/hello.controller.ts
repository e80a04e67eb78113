import { Controller, Get } from '@fleet/core';
import { z } from 'zod';
import { AppConfig } from './config.js';

const Hello = z.object({ message: z.string() });

@Controller()
export class HelloController {
  constructor(private readonly config: AppConfig) {}

  @Get('/hello', { response: Hello })
  hello() {
    return { message: this.config.GREETING };
  }
}
