import { createHash } from 'node:crypto';

/**
 * The cache's Redis scripts. Entries are stored as `<flag><tag versions>|<envelope JSON>`: flag
 * `1` (normal) or `h` (held: filled during an invalidation hold), then the versions of the
 * entry's tags when it was written, comma-separated. Every key and tag has a version counter
 * (`n`), bumped by each invalidation: a fill only stores when no invalidation of its key or tags
 * happened since it read them (no stale write after an evict), and a read only accepts an entry
 * whose tag versions are current (a tag delete is one INCR, whatever the number of entries).
 * Version keys outlive every entry that refers to them (their TTL is extended on each write).
 *
 * An invalidation does not delete a key's value: it replaces it with a marker, `n<version>.<time>`
 * (unique per invalidation), that lives the guard window (the longest fill that may store). So a
 * plain read (no tags, no holds), which reads the value alone with one GET (decision 048), can
 * store conditionally on the value it saw (`STORE_PLAIN_LUA`): while the value is what it read
 * (nothing, a marker or an entry), nothing invalidated the key since. For that, a value that
 * replaces a marker or an entry keeps at least the remaining life of what it replaces, and a
 * write-through's entry lives at least the guard window.
 */

/**
 * Conditional store of a fill.
 * KEYS: value, then the versions of [key, ...tags] (m keys), then their holds (m keys, when ARGV[4] ~= '0').
 * ARGV: envelope, px, m, hold mode ('0' none, '1' check, '2' a hold was active when the fill read), version life, expected versions (m).
 * Without holds the entry keeps at least the remaining life of the value it replaces (see above).
 * Returns 0 (not stored: invalidated meanwhile, or held at the start and released since), 1 stored, 2 stored held.
 */
export const STORE_LUA = `
local m = tonumber(ARGV[3])
local tags = {}
for i = 1, m do
  local cur = redis.call('GET', KEYS[1 + i]) or '0'
  if cur ~= ARGV[5 + i] then return 0 end
  if i > 1 then tags[#tags + 1] = cur end
end
local px = tonumber(ARGV[2])
local flag = '1'
if ARGV[4] ~= '0' then
  local hold = -2
  for i = 1, m do
    local t = redis.call('PTTL', KEYS[1 + m + i])
    if t > hold then hold = t end
  end
  if hold > 0 then
    flag = 'h'
    if hold < px then px = hold end
  elseif ARGV[4] == '2' then
    return 0
  end
end
if ARGV[4] == '0' then
  local r = redis.call('PTTL', KEYS[1])
  if r > px then px = r end
end
redis.call('SET', KEYS[1], flag .. table.concat(tags, ',') .. '|' .. ARGV[1], 'PX', px)
local life = tonumber(ARGV[5])
for i = 2, m do
  local t = redis.call('PTTL', KEYS[1 + i])
  if t == -2 then redis.call('SET', KEYS[1 + i], '0', 'PX', life)
  elseif t >= 0 and t < life then redis.call('PEXPIRE', KEYS[1 + i], life) end
end
if flag == 'h' then return 2 end
return 1`;

/**
 * Conditional store of a fill after a plain read (one GET of the value: no tags, no holds).
 * KEYS: value. ARGV: envelope, px, the value as read ('' when there was none).
 * Stores only while the value is still what the read saw; the entry keeps at least the remaining
 * life of the value it replaces. Returns 0 (changed meanwhile) or 1.
 */
export const STORE_PLAIN_LUA = `
local cur = redis.call('GET', KEYS[1])
if ARGV[3] == '' then
  if cur then return 0 end
elseif cur ~= ARGV[3] then
  return 0
end
local px = tonumber(ARGV[2])
if cur then
  local r = redis.call('PTTL', KEYS[1])
  if r > px then px = r end
end
redis.call('SET', KEYS[1], '1|' .. ARGV[1], 'PX', px)
return 1`;

/**
 * Write-through (`@CachePut`, `Cache.set`): stores the value with the current tag versions, bumps
 * the key's version (fills in flight for it will not store), and publishes the invalidation.
 * KEYS: value, key version, tag versions. ARGV: envelope, px, guard ms, version life, channel, message.
 * The entry lives at least the guard window (a plain read that saw nothing must not see nothing again
 * before its fill has stored or given up).
 * Returns PUBLISH's count of subscribers that received the message.
 */
export const PUT_LUA = `
local life = tonumber(ARGV[4])
local tags = {}
for i = 3, #KEYS do
  local cur = redis.call('GET', KEYS[i])
  if not cur then
    cur = '0'
    redis.call('SET', KEYS[i], '0', 'PX', life)
  else
    local t = redis.call('PTTL', KEYS[i])
    if t >= 0 and t < life then redis.call('PEXPIRE', KEYS[i], life) end
  end
  tags[#tags + 1] = cur
end
local px = math.max(tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('SET', KEYS[1], '1' .. table.concat(tags, ',') .. '|' .. ARGV[1], 'PX', px)
redis.call('INCR', KEYS[2])
local t = redis.call('PTTL', KEYS[2])
if t == -1 or (t >= 0 and t < tonumber(ARGV[3])) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return redis.call('PUBLISH', ARGV[5], ARGV[6])`;

/**
 * Invalidation of keys and tags, and its fleet-wide message, in one atomic step (every instance
 * that gets the message finds the entries already gone in Redis). A key's value is replaced by a
 * marker for the guard window (see above).
 * KEYS: per key: value, version, hold; per tag: version, hold.
 * ARGV: number of keys, number of tags, guard ms, hold ms (0: none), channel, message.
 * Returns PUBLISH's count.
 */
export const INVALIDATE_LUA = `
local nk, nt = tonumber(ARGV[1]), tonumber(ARGV[2])
local guard, hold = tonumber(ARGV[3]), tonumber(ARGV[4])
local function bump(n, h)
  local v = redis.call('INCR', n)
  local t = redis.call('PTTL', n)
  if t == -1 or (t >= 0 and t < guard) then redis.call('PEXPIRE', n, guard) end
  if hold > 0 then redis.call('SET', h, '1', 'PX', hold) end
  return v
end
local now = redis.call('TIME')
local stamp = '.' .. now[1] .. now[2]
local i = 1
for _ = 1, nk do
  local v = bump(KEYS[i + 1], KEYS[i + 2])
  redis.call('SET', KEYS[i], 'n' .. v .. stamp, 'PX', guard)
  i = i + 3
end
for _ = 1, nt do
  bump(KEYS[i], KEYS[i + 1])
  i = i + 2
end
return redis.call('PUBLISH', ARGV[5], ARGV[6])`;

/** Releases the fill lock if this holder still owns it. */
export const UNLOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface Script { readonly lua: string; readonly sha: string }

function script(lua: string): Script {
  return Object.freeze({ lua, sha: createHash('sha1').update(lua).digest('hex') });
}

export const SCRIPTS = Object.freeze({
  store: script(STORE_LUA),
  storePlain: script(STORE_PLAIN_LUA),
  put: script(PUT_LUA),
  invalidate: script(INVALIDATE_LUA),
  unlock: script(UNLOCK_LUA),
});
