import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { noteSessionPosition, positionOf, RequestConsistency, tokenOf } from './consistency.js';
import { resolveDatabaseOptions } from './database-options.js';

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as FastifyRequest;

describe('RequestConsistency with a session position (the read floor is the highest of all present)', () => {
  const rc = new RequestConsistency(resolveDatabaseOptions());

  it('takes the session position when it is higher than the token, and the token when it is higher', () => {
    const sessionHigher = request({ 'x-fleet-lsn': '0/10' });
    noteSessionPosition(sessionHigher, 0x20);
    expect(rc.required(sessionHigher)).toBe(0x20);
    const tokenHigher = request({ cookie: 'fleet_lsn=1/0' });
    noteSessionPosition(tokenHigher, 0x20);
    expect(rc.required(tokenHigher)).toBe(4294967296);
  });

  it('needs no token: a loaded session position alone is a floor, and is what consistencyToken reports', () => {
    const req = request();
    expect(rc.peek(req)).toBeUndefined();
    noteSessionPosition(req, 0xabc);
    expect(rc.required(req)).toBe(0xabc);
    expect(tokenOf(rc.peek(req))).toBe('0/ABC');
  });

  it('raises a state that already exists (the session loaded after a read), never lowers it', () => {
    const req = request({ 'x-fleet-lsn': '0/30' });
    expect(rc.required(req)).toBe(0x30);
    noteSessionPosition(req, 0x40);
    expect(rc.required(req)).toBe(0x40);
    noteSessionPosition(req, 0x35);
    noteSessionPosition(req, undefined);
    expect(rc.required(req)).toBe(0x40);
  });

  it('positionOf: what a session started by this request begins with (unknown positions are left out)', () => {
    expect(positionOf(request())).toBe(0);
    const wrote = request();
    rc.stateOf(wrote).lsn = 0x50;
    expect(positionOf(wrote)).toBe(0x50);
    const unknown = request();
    noteSessionPosition(unknown, 0x60);
    rc.stateOf(unknown).lsn = Infinity; // a write whose position could not be read
    expect(positionOf(unknown)).toBe(0x60);
  });
});
