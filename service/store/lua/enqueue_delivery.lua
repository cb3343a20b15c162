-- enqueue_delivery.lua: create the delivery of one event to one endpoint, unless it exists.
-- Idempotent, so a fan-out repeated after a worker crash never delivers twice.
--
-- KEYS: delivery due log
-- ARGV: delivery_id event_id event_type body request_id
--
-- due, log: the endpoint's due and logged deliveries (sorted sets); body: the event's JSON;
-- request_id: of the HTTP request that caused the event.
-- Returns 1 when created, 0 when it already existed.

if redis.call('EXISTS', K.delivery) == 1 then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', K.delivery, 'id', A.delivery_id, 'event_id', A.event_id, 'event_type', A.event_type,
  'body', A.body, 'state', 'pending', 'attempts', 0, 'created_at', now, 'next_attempt_at', now,
  'request_id', A.request_id)
redis.call('ZADD', K.due, now, A.delivery_id)
redis.call('ZADD', K.log, now, A.delivery_id)
return 1
