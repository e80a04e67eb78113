import { Module } from '@fleet/core';
import { HelloController } from './hello.controller.js';
import { UsersModule } from './users/users.module.js';

@Module({ imports: [UsersModule], controllers: [HelloController] })
export class AppModule {}
