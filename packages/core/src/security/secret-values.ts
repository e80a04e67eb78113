import { isConfigClass, isSecretField } from '../config/config.js';
import type { z } from 'zod';

export const REDACTED = '[Redacted]';
/** Shorter values are not secrets worth the name, and replacing them would shred every log line. */
const MIN_LENGTH = 4;

/**
 * The values of config fields marked `secret()`, collected once at boot, and replaced by
 * `[Redacted]` in every log line and 5xx error body. A URL's password is a value of its own, so a
 * URL printed with another host or path still hides it. @internal
 */
export class SecretValues {
  /** Longest first, so that a secret containing another is replaced whole. */
  private needles: string[] = [];

  get size(): number {
    return this.needles.length;
  }

  /** Adds the secret fields of every config instance among `instances`. */
  collect(instances: Iterable<unknown>): void {
    const found = new Set(this.needles);
    for (const instance of instances) {
      if (typeof instance !== 'object' || instance === null) continue;
      const cls = Object.getPrototypeOf(instance)?.constructor as unknown;
      if (!isConfigClass(cls)) continue;
      const shape = (cls as unknown as { schema: z.ZodObject }).schema.shape;
      for (const key of Object.getOwnPropertyNames(instance)) {
        if (isSecretField(shape[key] as z.ZodType | undefined)) for (const v of needlesOf((instance as Record<string, unknown>)[key])) found.add(v);
      }
    }
    this.needles = [...found].sort((a, b) => b.length - a.length);
  }

  /** Adds values directly (tests, and secrets that are not config fields). */
  add(...values: unknown[]): void {
    this.needles = [...new Set([...this.needles, ...values.flatMap(needlesOf)])].sort((a, b) => b.length - a.length);
  }

  /** The text with every secret value replaced; the same string when none occurs (the common case). */
  scrub(text: string): string {
    const needles = this.needles;
    for (let i = 0; i < needles.length; i++) {
      if (text.includes(needles[i]!)) text = text.replaceAll(needles[i]!, REDACTED);
    }
    return text;
  }
}

/** A value's strings: itself, a URL's password, and the JSON-escaped form that appears in log lines. */
export function needlesOf(value: unknown, depth = 0): string[] {
  if (value === undefined || value === null || depth > 3) return [];
  if (Array.isArray(value)) return value.flatMap((v) => needlesOf(v, depth + 1));
  if (typeof value === 'object') return Object.values(value).flatMap((v) => needlesOf(v, depth + 1));
  const text = String(value);
  const out = [text];
  const password = urlPassword(text);
  if (password) out.push(password, safeDecode(password));
  return out.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]).filter((s) => s.length >= MIN_LENGTH);
}

function urlPassword(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(text)) return undefined;
  try {
    return new URL(text).password || undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
