-- statement_add.lua: keep a statement of reasons once (the event that caused it names it) and,
-- when sending is configured, queue it for the Transparency Database.
--
-- KEYS: statements index pending
-- ARGV: statement_id item_id body created_ms send
--
-- statements: stream of the statements in the order made; index: hash statement id -> stream id;
-- pending: sorted set statement id -> next attempt (ms). Returns the stream id, new or existing.

local known = redis.call('HGET', K.index, A.statement_id)
if known then return known end
local id = redis.call('XADD', K.statements, '*', 'id', A.statement_id, 'item_id', A.item_id,
  'statement', A.body, 'created', A.created_ms)
redis.call('HSET', K.index, A.statement_id, id)
if A.send == '1' then redis.call('ZADD', K.pending, A.created_ms, A.statement_id) end
return id
