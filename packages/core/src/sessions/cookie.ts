import { createHmac, timingSafeEqual } from 'node:crypto';

/** The value of one cookie in a `Cookie` header, without parsing the others. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sign(value: string, secret: string): string {
  return `${value}.${createHmac('sha256', secret).update(value).digest('base64url')}`;
}

/** The value when its signature matches one of the secrets (constant-time compare), else undefined. */
export function unsign(signed: string, secrets: string[]): string | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  for (const s of secrets) {
    const expected = Buffer.from(createHmac('sha256', s).update(value).digest('base64url'));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return value;
  }
  return undefined;
}

export interface CookieOptions { maxAgeSeconds: number; secure: boolean }

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  return `${name}=${value}; Path=/; Max-Age=${o.maxAgeSeconds}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`;
}
