import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ApiDoc, Body, Bulkhead, CircuitBreaker, Controller, Delete, Get, Headers, Module, Param, Post, Put, Query, RateLimit, RedisModule, Res, Timeout,
  type OpenApiOptions,
} from '@fleet/core';

// Named schemas (zod's registry): each becomes one component, referenced wherever it appears.
export const Address = z.object({ street: z.string().describe('Street and number'), city: z.string() })
  .meta({ id: 'Address', description: 'A postal address' });
export const Customer = z.object({
  id: z.number().int(),
  name: z.string(),
  address: Address,
  tier: z.enum(['basic', 'gold']).default('basic'),
  since: z.date().optional(),
}).meta({ id: 'Customer' });
const NewCustomer = z.object({ name: z.string().min(1).max(100), address: Address, tier: z.enum(['basic', 'gold']).default('basic') })
  .meta({ id: 'NewCustomer', examples: [{ name: 'Ada', address: { street: '1 Main St', city: 'London' } }] });
const Page = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1'),
  q: z.string().optional().meta({ description: 'Search text', deprecated: true }),
});
export const CustomerPage = z.object({ items: z.array(Customer), page: z.number().int() });
const Category = z.object({ name: z.string(), get children(): z.ZodArray<typeof Category> { return z.array(Category); } });

@ApiDoc({ description: 'The customers of the shop', security: ['session'] })
@Controller('/customers')
export class CustomersController {
  @ApiDoc({ summary: 'List customers' })
  @Get('/', { response: CustomerPage })
  list(@Query(Page) query: z.infer<typeof Page>) {
    return { items: [{ id: 1, name: 'Ada', address: { street: '1 Main St', city: 'London' }, tier: 'gold', since: new Date(0) }], page: query.page };
  }

  @RateLimit('1000/minute', { key: 'global' })
  @Get('/:id', { response: { 200: Customer.describe('The customer'), 404: z.object({ statusCode: z.literal(404), code: z.string(), message: z.string() }) } })
  async get(@Param('id', z.coerce.number().int().positive().describe('Customer id')) id: number) {
    return { id, name: 'Ada', address: { street: '1 Main St', city: 'London' } };
  }

  @ApiDoc({ summary: 'Create a customer', errors: [409] })
  @Timeout('call')
  @Post('/', { status: 201, response: Customer })
  async create(@Body(NewCustomer) body: z.infer<typeof NewCustomer>, @Headers('x-tenant', z.enum(['a', 'b']).describe('Tenant')) _tenant: string) {
    return { id: 7, ...body };
  }

  @ApiDoc({ deprecated: true, security: [] })
  @CircuitBreaker()
  @Bulkhead()
  @Delete('/:id', { status: 204 })
  async remove(@Param('id') _id: string) { /* gone */ }
}

@ApiDoc({ hidden: true })
@Controller('/internal')
export class InternalController {
  @Get('/secret')
  secret() { return { secret: true }; }
}

@Controller()
export class MiscController {
  @Get('/a')
  @Get('/b')
  both() { return { ok: true }; }

  @ApiDoc({ tags: ['Catalog'], operationId: 'getCategory' })
  @Get('/categories/:slug(^[a-z-]+$)', { response: Category })
  category(@Query(z.union([z.object({ depth: z.coerce.number() }), z.object({ all: z.literal('true') })])) _q: unknown) {
    return { name: 'root', children: [] };
  }

  @Put('/raw/:key')
  raw(@Param('key') key: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    reply.code(200).send({ key, body });
  }

  @CircuitBreaker({ fallback: async () => ({ cached: true }) })
  @Get('/fallback')
  async withFallback() { return { cached: false }; }

  @ApiDoc({ hidden: true })
  @Get('/hidden')
  hidden() { return {}; }
}

@Module({ imports: [RedisModule], controllers: [CustomersController, InternalController, MiscController] })
export class ShopModule {}

/** Security schemes the fixture's routes name. */
export const shopOpenApi: OpenApiOptions = {
  info: { title: 'Shop', version: '1.2.3', description: 'A fixture for the OpenAPI tests' },
  servers: [{ url: 'https://shop.example.com' }],
  securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sid' } },
  tags: [{ name: 'Misc', description: 'Odds and ends' }],
};
