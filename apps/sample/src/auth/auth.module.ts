import { Module, SessionsModule } from '@fleet/core';
import { AuthController } from './auth.controller.js';

@Module({ imports: [SessionsModule], controllers: [AuthController] })
export class AuthModule {}
