-- reporter_touch.lua: the reporter's bookkeeping on its own slot (Redis Cluster), before report.lua.
-- The function touch_reporter comes from reporter.lib.lua, prepended when the script is loaded.
--
-- KEYS: rate trust
-- ARGV: limit window_s new_ms
--
-- rate: the reporter's rate-limit counter; trust: the reporter's trust hash. limit: reports per
-- window (0 = none); new_ms: how long a reporter counts as new.
-- Returns {seconds to wait, weight as text, is_new}.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local r = touch_reporter(K.rate, K.trust, tonumber(A.limit), tonumber(A.window_s), now, tonumber(A.new_ms))
return {r[1], tostring(r[2]), r[3]}
