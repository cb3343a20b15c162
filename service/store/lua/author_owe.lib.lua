-- author_owe.lib.lua: record, with an item's transition, the update its author's record owes
-- (the author lives in another partition): appended to the item's author_owed list and the item
-- put in the partition's author_pending set; author_apply.lua carries it out, once.

local function owe_author(item, pending, item_id, now, update)
  local owed = redis.call('HGET', item, 'author_owed')
  local list = owed and cjson.decode(owed) or {}
  table.insert(list, update)
  redis.call('HSET', item, 'author_owed', cjson.encode(list))
  redis.call('ZADD', pending, now, item_id)
end
