-- text_bank_remove.lua: take an entry out of the bank of removed comments, from its record, its
-- buckets and the order. Idempotent.
--
-- KEYS: entries buckets order
-- ARGV: entry_id
--
-- entries, buckets, order: as in text_bank_add.lua. Returns 1 when removed, 0 when it was not there.

local record = redis.call('HGET', K.entries, A.entry_id)
if not record then return 0 end
for _, bucket in ipairs(cjson.decode(record).buckets) do
  local ids = redis.call('HGET', K.buckets, bucket)
  if ids then
    local kept = {}
    for id in string.gmatch(ids, '[^,]+') do
      if id ~= A.entry_id then table.insert(kept, id) end
    end
    if #kept == 0 then redis.call('HDEL', K.buckets, bucket)
    else redis.call('HSET', K.buckets, bucket, table.concat(kept, ',')) end
  end
end
redis.call('HDEL', K.entries, A.entry_id)
redis.call('ZREM', K.order, A.entry_id)
return 1
