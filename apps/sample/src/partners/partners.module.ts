import { Module } from '@fleet/core';
import { PartnersConfig } from './partners.config.js';

/** The partner services' addresses, for the payment and inventory clients. */
@Module({ providers: [PartnersConfig], exports: [PartnersConfig] })
export class PartnersModule {}
