import { DatabaseModule, Module, RedisModule } from '@fleet/core';
import { AuthModule } from './auth/auth.module.js';
import { HelloController } from './hello.controller.js';
import { InventoryModule } from './inventory/inventory.module.js';
import { AppConfig } from './config.js';
import { UsersModule } from './users/users.module.js';
import { OrdersModule } from './orders/orders.module.js';

/** Migrations run at boot under an advisory lock: instances starting together apply each one once. */
const database = DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('../migrations/', import.meta.url) } });

@Module({ imports: [RedisModule, database, AuthModule, UsersModule, OrdersModule, InventoryModule], providers: [AppConfig], controllers: [HelloController] })
export class AppModule {}
