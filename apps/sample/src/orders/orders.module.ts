import { JobsModule, Module } from '@fleet/core';
import { OrdersController } from './orders.controller.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

@Module({ imports: [JobsModule], providers: [OrdersRepository, OrdersService], controllers: [OrdersController] })
export class OrdersModule {}
