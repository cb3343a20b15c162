-- enqueue_delivery.lua: create the delivery of one event to one endpoint, unless it exists.
-- Idempotent, so a fan-out repeated after a worker crash never delivers twice.
--
-- KEYS[1] delivery hash   KEYS[2] due sorted set   KEYS[3] log sorted set
-- ARGV[1] delivery id     ARGV[2] event id         ARGV[3] event type   ARGV[4] body (JSON)
-- ARGV[5] request id of the HTTP request that caused the event
-- Returns 1 when created, 0 when it already existed.

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'event_id', ARGV[2], 'event_type', ARGV[3], 'body', ARGV[4],
  'state', 'pending', 'attempts', 0, 'created_at', now, 'next_attempt_at', now, 'request_id', ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
return 1
