import { Module } from '@fleet/core';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({ providers: [UsersRepository, UsersService], controllers: [UsersController], exports: [UsersService] })
export class UsersModule {}
