import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from './lsn.js';

describe('LSN', () => {
  it('parses and prints PostgreSQL positions', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748);
    expect(parseLsn('1/0')).toBe(4294967296);
    expect(parseLsn('A/FFFFFFFF')).toBe(10 * 4294967296 + 0xffffffff);
    expect(formatLsn(parseLsn('2A/5f0c9a8')!)).toBe('2A/5F0C9A8');
    expect(formatLsn(0)).toBe('0/0');
  });

  it('orders positions across the 4 GiB boundary', () => {
    expect(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!).toBe(true);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '0', '0/', '/1', 'G/1', '0/123456789', '1/2; drop table x', null, undefined]) expect(parseLsn(bad as string)).toBeUndefined();
  });
});
