-- claim_deliveries.lua: take up to N due deliveries of one endpoint under a lease. A worker that
-- dies mid-delivery leaves the lease to expire, and the delivery is due again for any worker.
--
-- KEYS: due
-- ARGV: count lease_ms
--
-- due: the endpoint's due deliveries (sorted set: delivery id -> due time).
-- Returns the claimed delivery ids, oldest first.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', K.due, '-inf', now, 'LIMIT', 0, tonumber(A.count))
for _, id in ipairs(ids) do
  redis.call('ZADD', K.due, now + tonumber(A.lease_ms), id)
end
return ids
