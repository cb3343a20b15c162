-- trust_update.lua: a moderator agreed (or not) with one reporter; update the reporter's counts
-- and the weight their next reports carry. The weight is twice the smoothed accuracy
-- (agreed + 1) / (agreed + disagreed + 2), bounded to [low, high]: 1.0 for a new reporter.
--
-- KEYS[1] the reporter's trust hash
-- ARGV[1] "agreed" or "disagreed"   ARGV[2] low bound   ARGV[3] high bound
-- Returns the new weight as text.

redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
local counts = redis.call('HMGET', KEYS[1], 'agreed', 'disagreed')
local agreed, disagreed = tonumber(counts[1]) or 0, tonumber(counts[2]) or 0
local weight = 2 * (agreed + 1) / (agreed + disagreed + 2)
weight = math.max(tonumber(ARGV[2]), math.min(tonumber(ARGV[3]), weight))
redis.call('HSET', KEYS[1], 'weight', weight)
return tostring(weight)
