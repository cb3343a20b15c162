-- author_touch.lua: count one submission of an author and say how many they made in each window
-- (the policy's flood condition). Keeps a day of submissions.
--
-- KEYS: recent
-- ARGV: member windows_s
--
-- recent: the author's submissions (sorted set: member -> ms); member: unique per submission;
-- windows_s: comma-separated window lengths in seconds.
-- Returns the counts, one per window, in order.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', K.recent, now, A.member)
redis.call('ZREMRANGEBYSCORE', K.recent, '-inf', now - 86400000)
redis.call('PEXPIRE', K.recent, 86400000)
local counts = {}
for window in string.gmatch(A.windows_s, '[^,]+') do
  table.insert(counts, redis.call('ZCOUNT', K.recent, now - tonumber(window) * 1000, '+inf'))
end
return counts
