import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Injectable } from '../di/decorators.js';
import { FrameworkOwned } from '../state/allow-state.js';
import { RedisConnection } from '../redis/redis-connection.js';
import { AppEnvironment } from '../app/environment.js';
import { SessionsConfig } from './sessions-config.js';
import { readCookie, serializeCookie, sign, unsign } from './cookie.js';

/** A server-side session: its id (never sent unsigned) and its data. */
export interface Session<T = Record<string, unknown>> {
  readonly id: string;
  readonly data: T;
}

/**
 * Server-side sessions in Redis, readable by every instance: the cookie carries only a signed
 * random id (`HttpOnly`, `SameSite=Lax`, `Secure` in production); the data lives under the
 * app's Redis namespace with an idle TTL that every read slides.
 *
 * `start` on login always issues a new id (no session fixation); `destroy` on logout deletes it.
 */
@Injectable()
@FrameworkOwned()
export class Sessions {
  private readonly secrets: string[];

  constructor(private readonly redis: RedisConnection, private readonly config: SessionsConfig, private readonly env: AppEnvironment) {
    this.secrets = Object.freeze(config.SESSION_SECRET.split(',').map((s) => s.trim())) as string[];
  }

  /** Starts a session (login): drops the session the request carried, if any, and sets the cookie of a new one. */
  async start<T extends object>(req: FastifyRequest, reply: FastifyReply, data: T): Promise<Session<T>> {
    const previous = this.idOf(req);
    const id = randomBytes(32).toString('base64url');
    const multi = this.redis.client.multi().set(this.key(id), JSON.stringify(data), 'EX', this.config.SESSION_TTL_SECONDS);
    if (previous) multi.del(this.key(previous));
    await multi.exec();
    reply.header('set-cookie', serializeCookie(this.config.SESSION_COOKIE, sign(id, this.secrets[0]!), { maxAgeSeconds: this.config.SESSION_TTL_SECONDS, secure: this.env.production }));
    return { id, data };
  }

  /** The request's session, or undefined (no cookie, bad signature, expired). Slides the idle TTL. */
  async get<T = Record<string, unknown>>(req: FastifyRequest): Promise<Session<T> | undefined> {
    const id = this.idOf(req);
    if (!id) return undefined;
    const raw = await this.redis.client.getex(this.key(id), 'EX', this.config.SESSION_TTL_SECONDS);
    return raw === null ? undefined : { id, data: JSON.parse(raw) as T };
  }

  /** Replaces the data of the request's session; false when there is none. */
  async update<T extends object>(req: FastifyRequest, data: T): Promise<boolean> {
    const id = this.idOf(req);
    if (!id) return false;
    return (await this.redis.client.set(this.key(id), JSON.stringify(data), 'EX', this.config.SESSION_TTL_SECONDS, 'XX')) === 'OK';
  }

  /** Ends the request's session (logout) and clears the cookie; true when one existed. */
  async destroy(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const id = this.idOf(req);
    reply.header('set-cookie', serializeCookie(this.config.SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: this.env.production }));
    return id ? (await this.redis.client.del(this.key(id))) === 1 : false;
  }

  private idOf(req: FastifyRequest): string | undefined {
    const cookie = readCookie(req.headers.cookie, this.config.SESSION_COOKIE);
    return cookie ? unsign(cookie, this.secrets) : undefined;
  }

  private key(id: string): string {
    return this.redis.key('sess', id);
  }
}
