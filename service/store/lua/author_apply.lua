-- author_apply.lua: carry out the updates an item's transitions owe its author: counts, strikes
-- (added by a removal, lifted by a restore or a reversed appeal), the author's items, first and
-- last seen. Each update has an id ("<item>:<seq>") and applies once, whatever the retries.
--
-- KEYS: record strikes items applied
-- ARGV: item_id updates strike_ms
--
-- updates: JSON list of {id, kind (submitted|remove|restore|approve|reverse), decision,
-- reason_code, strike, at}; strike_ms: how long a strike stays active.
-- Returns the ids applied now (or already before), JSON.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local done = {}
for _, u in ipairs(cjson.decode(A.updates)) do
  if redis.call('SADD', K.applied, u.id) == 1 then
    redis.call('HSETNX', K.record, 'first_seen', u.at)
    redis.call('HSET', K.record, 'last_seen', math.max(tonumber(redis.call('HGET', K.record, 'last_seen') or 0), u.at))
    redis.call('ZADD', K.items, u.at, A.item_id)
    if u.kind == 'submitted' then
      redis.call('HINCRBY', K.record, 'submitted', 1)
      local counter = ({publish = 'published', flag = 'published', hold = 'held', reject = 'rejected'})[u.decision]
      if counter then redis.call('HINCRBY', K.record, counter, 1) end
    elseif u.kind == 'approve' then
      redis.call('HINCRBY', K.record, 'published', 1)
    elseif u.kind == 'remove' then
      redis.call('HINCRBY', K.record, 'removed', 1)
      if u.strike then
        redis.call('HSET', K.strikes, u.id, cjson.encode({item_id = A.item_id, reason_code = u.reason_code,
          at = u.at, expires_at = u.at + tonumber(A.strike_ms)}))
      end
    elseif u.kind == 'restore' or u.kind == 'reverse' then
      redis.call('HINCRBY', K.record, 'restored', 1)
      local all = redis.call('HGETALL', K.strikes)
      for i = 1, #all, 2 do
        local strike = cjson.decode(all[i + 1])
        if strike.item_id == A.item_id and not strike.lifted_at then
          strike.lifted_at = u.at
          strike.lifted_by = u.kind
          redis.call('HSET', K.strikes, all[i], cjson.encode(strike))
        end
      end
    end
  end
  table.insert(done, u.id)
end
return cjson.encode(done)
