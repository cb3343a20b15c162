-- rate_limit.lua: fixed-window counter. Counts this request and says whether it is over the limit.
--
-- KEYS: counter
-- ARGV: limit window_s
--
-- counter: one reporter's or API key's; limit: requests per window.
-- Returns 0 when allowed, else the seconds until the window resets.

local count = redis.call('INCR', K.counter)
if count == 1 then
  redis.call('EXPIRE', K.counter, A.window_s)
end
if count > tonumber(A.limit) then
  local ttl = redis.call('TTL', K.counter)
  if ttl < 0 then
    redis.call('EXPIRE', K.counter, A.window_s)
    ttl = tonumber(A.window_s)
  end
  return ttl
end
return 0
