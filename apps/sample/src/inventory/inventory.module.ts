import { Module } from '@fleet/core';
import { PartnersModule } from '../partners/partners.module.js';
import { InventoryClient } from './inventory.client.js';
import { InventoryController } from './inventory.controller.js';

@Module({ imports: [PartnersModule], providers: [InventoryClient], controllers: [InventoryController] })
export class InventoryModule {}
