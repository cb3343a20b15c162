-- bank_applied.lua: mark a decided image's bank change as done, unless a later decision has
-- since recorded another one: then that one stays pending.
--
-- KEYS[1] item hash   KEYS[2] pending bank changes (sorted set: item id -> decision time)
-- ARGV[1] item_id   ARGV[2] the bank_change value that was applied ("<change>:<seq>")
-- Returns 1 when marked done, 0 when another change is pending (or none was).

if redis.call('HGET', KEYS[1], 'bank_change') ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], 'bank_change')
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
