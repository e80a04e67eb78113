import { createHash } from 'node:crypto';

/**
 * Sliding window of `segments` sub-windows in one Redis hash per key (field = sub-window index,
 * value = count). A call at time t is counted against sub-windows b-k..b (b = floor(t / w),
 * k = segments, k*w >= period): together they cover every rolling period that ends at t, so no
 * rolling period ever holds more than `limit` calls (no edge bursts), at the price of at most one
 * sub-window of extra wait. Old sub-windows are deleted as they fall out; the key expires when idle.
 *
 * KEYS[1] the key; ARGV: now (ms), w (ms), k, limit.
 * Returns { allowed (1|0), remaining, retryAfterMs }.
 */
export const SLIDING_WINDOW_LUA = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
local k = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local b = math.floor(now / w)
local flat = redis.call('HGETALL', key)
local total = 0
local live = {}
local counts = {}
for i = 1, #flat, 2 do
  local f = tonumber(flat[i])
  if f < b - k then
    redis.call('HDEL', key, flat[i])
  else
    local c = tonumber(flat[i + 1])
    total = total + c
    live[#live + 1] = f
    counts[f] = c
  end
end
if total < limit then
  redis.call('HINCRBY', key, string.format('%.0f', b), 1)
  redis.call('PEXPIRE', key, (k + 1) * w)
  return {1, limit - total - 1, 0}
end
table.sort(live)
local excess = total - limit + 1
local freed = 0
for _, f in ipairs(live) do
  freed = freed + counts[f]
  if freed >= excess then
    return {0, 0, (f + k + 1) * w - now}
  end
end
return {0, 0, (k + 1) * w}
`;

export const SLIDING_WINDOW_SHA = createHash('sha1').update(SLIDING_WINDOW_LUA).digest('hex');
