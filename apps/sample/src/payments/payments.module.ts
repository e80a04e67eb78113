import { Module } from '@fleet/core';
import { PartnersModule } from '../partners/partners.module.js';
import { PaymentClient } from './payment.client.js';

@Module({ imports: [PartnersModule], providers: [PaymentClient], exports: [PaymentClient] })
export class PaymentsModule {}
