-- finish_attempt.lua: record one delivery attempt and decide what follows: delivered, retried at
-- a later time, dead after the last retry, or dead because the endpoint answered 410 Gone (which
-- also disables the endpoint).
--
-- KEYS: delivery due endpoint
-- ARGV: delivery_id outcome http_status latency_ms error retry_delays
--
-- due: the endpoint's due deliveries (sorted set); outcome: ok | retry | gone; http_status: 0 when
-- none; retry_delays: comma-separated delays in ms.
-- Returns the new state.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delivery, due, id = K.delivery, K.due, A.delivery_id
if redis.call('HGET', delivery, 'state') ~= 'pending' then
  redis.call('ZREM', due, id)
  return redis.call('HGET', delivery, 'state') or 'missing'
end
local attempts = redis.call('HINCRBY', delivery, 'attempts', 1)
redis.call('HSET', delivery, 'last_status', A.http_status, 'last_latency_ms', A.latency_ms, 'last_error', A.error,
  'last_attempt_at', now)
local state = 'pending'
if A.outcome == 'ok' then
  state = 'delivered'
  redis.call('HSET', delivery, 'delivered_at', now)
elseif A.outcome == 'gone' then
  state = 'dead'
  redis.call('HSET', K.endpoint, 'enabled', '0', 'disabled_reason', 'the endpoint answered 410 Gone')
else
  local delays = {}
  for d in string.gmatch(A.retry_delays, '[^,]+') do table.insert(delays, tonumber(d)) end
  if attempts > #delays then
    state = 'dead'
  else
    local at = now + delays[attempts]
    redis.call('HSET', delivery, 'next_attempt_at', at)
    redis.call('ZADD', due, at, id)
  end
end
redis.call('HSET', delivery, 'state', state)
if state ~= 'pending' then
  redis.call('ZREM', due, id)
  redis.call('HDEL', delivery, 'next_attempt_at')
end
return state
