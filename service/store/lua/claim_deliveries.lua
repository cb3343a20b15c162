-- claim_deliveries.lua: take up to N due deliveries of one endpoint under a lease. A worker that
-- dies mid-delivery leaves the lease to expire, and the delivery is due again for any worker.
--
-- KEYS[1] due sorted set
-- ARGV[1] how many   ARGV[2] lease in ms
-- Returns the claimed delivery ids, oldest first.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id)
end
return ids
