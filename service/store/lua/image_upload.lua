-- image_upload.lua: keep the first image (bytes or URL) received for an item, for the worker.
-- Later uploads of the same item are ignored, even after the first was analysed and dropped.
--
-- KEYS: image
-- ARGV: field value ttl_s
--
-- field: original (base64 bytes) or url; ttl_s: seconds to keep an upload nobody analysed.
-- Returns 1 if this was the item's first image, else 0.

if redis.call('HSETNX', K.image, 'received', A.field) == 0 then
  return 0
end
redis.call('HSET', K.image, A.field, A.value)
if A.field == 'original' then
  redis.call('EXPIRE', K.image, A.ttl_s)
end
return 1
