-- rate_limit.lua: fixed-window counter. Counts this request and says whether it is over the limit.
--
-- KEYS[1] the counter of one reporter or API key
-- ARGV[1] limit (requests per window)   ARGV[2] window in seconds
-- Returns 0 when allowed, else the seconds until the window resets.

local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
if count > tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return ttl
end
return 0
