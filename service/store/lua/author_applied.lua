-- author_applied.lua: mark an item's owed author updates as done, keeping any recorded since.
--
-- KEYS: item pending
-- ARGV: item_id done
--
-- pending: the partition's author_pending set; done: JSON list of the update ids applied.
-- Returns how many updates stay owed.

local owed = redis.call('HGET', K.item, 'author_owed')
if not owed then
  redis.call('ZREM', K.pending, A.item_id)
  return 0
end
local done = {}
for _, id in ipairs(cjson.decode(A.done)) do done[id] = true end
local left = {}
for _, u in ipairs(cjson.decode(owed)) do
  if not done[u.id] then table.insert(left, u) end
end
if #left == 0 then
  redis.call('HDEL', K.item, 'author_owed')
  redis.call('ZREM', K.pending, A.item_id)
else
  redis.call('HSET', K.item, 'author_owed', cjson.encode(left))
end
return #left
