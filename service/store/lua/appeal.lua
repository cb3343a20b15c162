-- appeal.lua: an author appeals the removal or rejection of their item: recorded once per
-- decision, within the appeal window, put in the review queue and announced (appeal.received).
-- record_event and enqueue come from item.lib.lua.
--
-- KEYS: item history events review audit review_hidden review_oldest review_held
-- ARGV: item_id author_id statement window_ms events_maxlen event_prefix request_id
--
-- Returns {"ok", seq}, or {"not_found"}, {"not_author"}, {"not_appealable", status},
-- {"too_late", ms since the decision}, {"already_appealed", state}.

local item = K.item
local f = redis.call('HMGET', item, 'status', 'author_id', 'decided_at', 'submitted_at', 'appeal_state', 'item_type')
local status = f[1]
if not status then return {'not_found'} end
if f[2] ~= A.author_id then return {'not_author'} end
if status ~= 'removed' and status ~= 'rejected' then return {'not_appealable', status} end
if f[5] then return {'already_appealed', f[5]} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local decided = tonumber(status == 'removed' and f[3] or f[4]) or now
if now - decided > tonumber(A.window_ms) then return {'too_late', now - decided} end
redis.call('HSET', item, 'appeal_state', 'pending', 'appeal', cjson.encode({statement = A.statement, at = now}))
local ctx = {item = item, history = K.history, events = K.events, audit = K.audit, item_id = A.item_id,
  item_type = f[6], now = now, maxlen = A.events_maxlen, prefix = A.event_prefix, rid = A.request_id}
local seq = record_event(ctx, 'appeal.received', status, status, {signal = 'appeal', statement = A.statement})
redis.call('HSETNX', item, 'round_started_at', now)
enqueue({review = K.review, hidden = K.review_hidden, oldest = K.review_oldest, held = K.review_held},
  item, A.item_id, status)
return {'ok', seq}
