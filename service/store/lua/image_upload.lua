-- image_upload.lua: keep the first image (bytes or URL) received for an item, for the worker.
-- Later uploads of the same item are ignored, even after the first was analysed and dropped.
--
-- KEYS[1] image hash
-- ARGV[1] field (original: base64 bytes, or url)   ARGV[2] value   ARGV[3] seconds to keep an
--         upload nobody analysed
-- Returns 1 if this was the item's first image, else 0.

if redis.call('HSETNX', KEYS[1], 'received', ARGV[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[1] == 'original' then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return 1
