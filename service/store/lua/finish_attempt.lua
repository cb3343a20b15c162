-- finish_attempt.lua: record one delivery attempt and decide what follows: delivered, retried at
-- a later time, dead after the last retry, or dead because the endpoint answered 410 Gone (which
-- also disables the endpoint).
--
-- KEYS[1] delivery hash   KEYS[2] due sorted set   KEYS[3] endpoint hash
-- ARGV[1] delivery id     ARGV[2] outcome: ok | retry | gone   ARGV[3] HTTP status (0: none)
-- ARGV[4] latency in ms   ARGV[5] error text   ARGV[6] comma-separated retry delays in ms
-- Returns the new state.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return redis.call('HGET', KEYS[1], 'state') or 'missing'
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'last_status', ARGV[3], 'last_latency_ms', ARGV[4], 'last_error', ARGV[5],
  'last_attempt_at', now)
local state = 'pending'
if ARGV[2] == 'ok' then
  state = 'delivered'
  redis.call('HSET', KEYS[1], 'delivered_at', now)
elseif ARGV[2] == 'gone' then
  state = 'dead'
  redis.call('HSET', KEYS[3], 'enabled', '0', 'disabled_reason', 'the endpoint answered 410 Gone')
else
  local delays = {}
  for d in string.gmatch(ARGV[6], '[^,]+') do table.insert(delays, tonumber(d)) end
  if attempts > #delays then
    state = 'dead'
  else
    local at = now + delays[attempts]
    redis.call('HSET', KEYS[1], 'next_attempt_at', at)
    redis.call('ZADD', KEYS[2], at, ARGV[1])
  end
end
redis.call('HSET', KEYS[1], 'state', state)
if state ~= 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[1], 'next_attempt_at')
end
return state
