-- model_slot.lua: take one of a machine's slots for heavy model work, under a lease (a process
-- that dies holding one loses it when the lease ends), or give one back.
--
-- KEYS: slots
-- ARGV: token limit lease_ms
--
-- slots: sorted set of holders (token -> lease end, ms); limit: 0 gives the slot back.
-- Returns 1 when taken (or given back), 0 when every slot is held.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(A.limit) == 0 then
  redis.call('ZREM', K.slots, A.token)
  return 1
end
redis.call('ZREMRANGEBYSCORE', K.slots, '-inf', now)
if redis.call('ZCARD', K.slots) >= tonumber(A.limit) then return 0 end
redis.call('ZADD', K.slots, now + tonumber(A.lease_ms), A.token)
redis.call('PEXPIRE', K.slots, tonumber(A.lease_ms))
return 1
