-- text_bank_add.lua: bank a removed comment's signature: its record, its 16 LSH buckets, its place
-- in the bank's order. Idempotent: an entry already banked changes nothing.
--
-- KEYS: entries buckets order
-- ARGV: entry_id record buckets added_at
--
-- entries: hash entry id -> JSON record (item id, signature, buckets, excerpt, who, when); buckets:
-- hash bucket -> comma-separated entry ids; order: sorted set entry id -> added_at (for paging).
-- buckets (ARGV): comma-separated bucket names. Returns 1 when added, 0 when it was there.

if redis.call('HSETNX', K.entries, A.entry_id, A.record) == 0 then return 0 end
for bucket in string.gmatch(A.buckets, '[^,]+') do
  local ids = redis.call('HGET', K.buckets, bucket)
  redis.call('HSET', K.buckets, bucket, ids and (ids .. ',' .. A.entry_id) or A.entry_id)
end
redis.call('ZADD', K.order, A.added_at, A.entry_id)
return 1
