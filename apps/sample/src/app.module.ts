import { Module, RedisModule } from '@fleet/core';
import { AuthModule } from './auth/auth.module.js';
import { HelloController } from './hello.controller.js';
import { AppConfig } from './config.js';
import { UsersModule } from './users/users.module.js';

@Module({ imports: [RedisModule, AuthModule, UsersModule], providers: [AppConfig], controllers: [HelloController] })
export class AppModule {}
