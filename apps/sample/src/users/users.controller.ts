import { Controller, Get, NotFoundError, Param } from '@fleet/core';
import { z } from 'zod';
import { UsersService } from './users.service.js';

const User = z.object({ id: z.number().int(), name: z.string(), email: z.string() });

@Controller('/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('/:id', { response: User })
  get(@Param('id', z.number().int().positive()) id: number) {
    const user = this.users.find(id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    return user;
  }
}
