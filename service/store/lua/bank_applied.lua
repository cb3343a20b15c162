-- bank_applied.lua: mark a decided image's bank change as done, unless a later decision has
-- since recorded another one: then that one stays pending.
--
-- KEYS: item bank_pending
-- ARGV: item_id change
--
-- bank_pending: pending bank changes (sorted set: item id -> decision time); change: the
-- bank_change value that was applied ("<change>:<seq>").
-- Returns 1 when marked done, 0 when another change is pending (or none was).

if redis.call('HGET', K.item, 'bank_change') ~= A.change then return 0 end
redis.call('HDEL', K.item, 'bank_change')
redis.call('ZREM', K.bank_pending, A.item_id)
return 1
