import { Module } from '@fleet/core';
import { HelloController } from './hello.controller.js';
import { AppConfig } from './config.js';
import { UsersModule } from './users/users.module.js';

@Module({ imports: [UsersModule], providers: [AppConfig], controllers: [HelloController] })
export class AppModule {}
