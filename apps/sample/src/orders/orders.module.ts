import { JobsModule, Module } from '@fleet/core';
import { PaymentsModule } from '../payments/payments.module.js';
import { OrdersController } from './orders.controller.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

@Module({ imports: [JobsModule, PaymentsModule], providers: [OrdersRepository, OrdersService], controllers: [OrdersController] })
export class OrdersModule {}
