-- reporter.lib.lua: one reporter's bookkeeping, shared by report.lua (single server: the same
-- atomic call) and reporter_touch.lua (cluster: the reporter's keys live on another slot).
-- Counts the report in the rate-limit window, stamps the first time the reporter was seen, and
-- reads the trust weight that decisions maintain (see trust_update.lua).
-- Returns {seconds to wait (0 = allowed), weight, 1 if first seen within new_ms else 0}.

local function touch_reporter(rate_key, trust_key, limit, window_s, now, new_ms)
  if limit > 0 then
    local count = redis.call('INCR', rate_key)
    if count == 1 or redis.call('TTL', rate_key) < 0 then
      redis.call('EXPIRE', rate_key, window_s)
    end
    if count > limit then
      return {math.max(1, redis.call('TTL', rate_key)), 0, 0}
    end
  end
  redis.call('HSETNX', trust_key, 'first_seen', now)
  local found = redis.call('HMGET', trust_key, 'weight', 'first_seen')
  local weight = tonumber(found[1]) or 1.0
  local is_new = (now - tonumber(found[2]) <= new_ms) and 1 or 0
  return {0, weight, is_new}
end
