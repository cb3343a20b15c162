-- reporter_touch.lua: the reporter's bookkeeping on its own slot (Redis Cluster), before report.lua.
-- The function touch_reporter comes from reporter.lib.lua, prepended when the script is loaded.
--
-- KEYS[1] the reporter's rate-limit counter   KEYS[2] the reporter's trust hash
-- ARGV[1] limit (0 = none)   ARGV[2] window in seconds   ARGV[3] "new reporter" age in ms
-- Returns {seconds to wait, weight as text, is_new}.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local r = touch_reporter(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), now, tonumber(ARGV[3]))
return {r[1], tostring(r[2]), r[3]}
