-- notice.lua: record a notice of illegal content (Art. 16 DSA, or a trusted flagger's) against an
-- item: the notice, the item (created if the host never reported it), the item's place in the
-- review queue ahead of items with readers' reports only, and a notice.received event, together.
-- A notice never counts as a report: it asks for a moderator's decision, it does not hide.
-- record_event and enqueue come from item.lib.lua.
--
-- KEYS: item notices history events review audit review_hidden review_oldest review_held notice_log
-- ARGV: item_id item_type notice_id notice fields boost threshold rule events_maxlen event_prefix
-- ARGV: request_id
--
-- notices: hash notice id -> JSON; notice_log: sorted set of the partition's notices (JSON
-- {notice_id, item_id, category, source, flagger_id} -> received ms); fields: JSON stored on a
-- new item (its text also on an item without one); boost: added to the item's review priority.
-- Returns {"ok", seq, received_ms} or {"type_mismatch", type}.

local item = K.item
local existing = redis.call('HGET', item, 'item_type')
if existing and existing ~= A.item_type then return {'type_mismatch', existing} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fields = cjson.decode(A.fields)
if not existing then
  redis.call('HSET', item, 'item_type', A.item_type, 'status', 'visible', 'created_at', now,
    'threshold', A.threshold, 'threshold_rule', A.rule, 'reports', 0, 'weight', 0, 'new_reporters', 0, 'seq', 0)
  for k, v in pairs(fields) do redis.call('HSET', item, k, v) end
elseif fields.text and redis.call('HEXISTS', item, 'text') == 0 then
  redis.call('HSET', item, 'text', fields.text)
end
local notice = cjson.decode(A.notice)
notice.received_at = now
redis.call('HSET', K.notices, A.notice_id, cjson.encode(notice))
redis.call('ZADD', K.notice_log, now, cjson.encode({notice_id = A.notice_id, item_id = A.item_id,
  category = notice.category, source = notice.source, flagger_id = notice.trusted_flagger_id or ''}))
local boost = tonumber(A.boost)
if boost > (tonumber(redis.call('HGET', item, 'priority_boost')) or 0) then
  redis.call('HSET', item, 'priority_boost', boost)
end
local status = redis.call('HGET', item, 'status')
local ctx = {item = item, history = K.history, events = K.events, audit = K.audit, item_id = A.item_id,
  item_type = A.item_type, now = now, maxlen = A.events_maxlen, prefix = A.event_prefix, rid = A.request_id}
local seq = record_event(ctx, 'notice.received', status, status, {signal = 'notice', notice_id = A.notice_id,
  category = notice.category, source = notice.source, received_at = now})
redis.call('HSETNX', item, 'round_started_at', now)
if status == 'visible' or status == 'hidden' or status == 'held' then
  enqueue({review = K.review, hidden = K.review_hidden, oldest = K.review_oldest, held = K.review_held},
    item, A.item_id, status)
end
return {'ok', seq, now}
