import { CacheModule, Module } from '@fleet/core';
import { ApiUsersController } from './api-users.controller.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** CacheModule is global: importing it here gives the whole app the cache (it needs RedisModule, imported by the root). */
@Module({ imports: [CacheModule], providers: [UsersRepository, UsersService], controllers: [UsersController, ApiUsersController], exports: [UsersService] })
export class UsersModule {}
