-- text_bank_lookup.lua: the banked entries that share an LSH bucket with a text, most shared
-- buckets first, with their records: one round trip for the whole lookup.
--
-- KEYS: entries buckets
-- ARGV: buckets limit
--
-- buckets (ARGV): the text's comma-separated bucket names; limit: the most candidates returned.
-- Returns {entry id, record, entry id, record, ...}.

local names = {}
for bucket in string.gmatch(A.buckets, '[^,]+') do table.insert(names, bucket) end
local hits, order = {}, {}
for _, ids in ipairs(redis.call('HMGET', K.buckets, unpack(names))) do
  if ids then  -- a missing bucket is false
    for id in string.gmatch(ids, '[^,]+') do
      if not hits[id] then
        hits[id] = 0
        table.insert(order, id)
      end
      hits[id] = hits[id] + 1
    end
  end
end
table.sort(order, function(a, b) return hits[a] > hits[b] end)
local out = {}
for i = 1, math.min(#order, tonumber(A.limit)) do
  table.insert(out, order[i])
  table.insert(out, redis.call('HGET', K.entries, order[i]) or '')
end
return out
