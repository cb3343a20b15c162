-- trust_update.lua: a moderator agreed (or not) with one reporter; update the reporter's counts
-- and the weight their next reports carry. The weight is twice the smoothed accuracy
-- (agreed + 1) / (agreed + disagreed + 2), bounded to [low, high]: 1.0 for a new reporter.
--
-- KEYS: trust
-- ARGV: verdict low high
--
-- trust: the reporter's trust hash; verdict: "agreed" or "disagreed".
-- Returns the new weight as text.

redis.call('HINCRBY', K.trust, A.verdict, 1)
local counts = redis.call('HMGET', K.trust, 'agreed', 'disagreed')
local agreed, disagreed = tonumber(counts[1]) or 0, tonumber(counts[2]) or 0
local weight = 2 * (agreed + 1) / (agreed + disagreed + 2)
weight = math.max(tonumber(A.low), math.min(tonumber(A.high), weight))
redis.call('HSET', K.trust, 'weight', weight)
return tostring(weight)
