import { Body, Controller, Get, Post, RateLimit, Req, Res, Sessions, UnauthorizedError } from '@fleet/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

const Login = z.object({ userId: z.string().min(1).max(64) });
const Me = z.object({ userId: z.string() });
interface UserSession { userId: string }

/** Login state lives in Redis (Sessions), so any instance of the fleet answers for any user. */
@Controller()
export class AuthController {
  constructor(private readonly sessions: Sessions) {}

  @RateLimit('10/minute', { key: 'ip' })
  @Post('/login', { response: Me })
  async login(@Body(Login) body: z.infer<typeof Login>, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.sessions.start<UserSession>(req, reply, { userId: body.userId });
    return { userId: body.userId };
  }

  @Get('/me', { response: Me })
  async me(@Req() req: FastifyRequest) {
    const session = await this.sessions.get<UserSession>(req);
    if (!session) throw new UnauthorizedError('not logged in');
    return { userId: session.data.userId };
  }

  @Post('/logout', { status: 204 })
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.sessions.destroy(req, reply);
    return reply.send();
  }
}
