-- notice_decided.lua: tell a notifier the outcome of their notice (Art. 16(5) DSA) once per
-- decision: the notice records the decision and a notice.decided event goes out, both or neither.
-- A decision the notice already records (the same item seq or an earlier one) changes nothing.
--
-- KEYS: notices events notice_outcomes
-- ARGV: notice_id item_id outcome events_maxlen
--
-- notices: the item's hash notice id -> JSON; notice_outcomes: the partition's sorted set of
-- outcomes (JSON {notice_id, flagger_id, action, confirmed, ms_to_action} -> decided ms);
-- outcome: JSON {seq, action, confirmed, ground, legal_ground, explanation, redress, decided_at}.
-- Returns the event's stream id, or false when already told.

local raw = redis.call('HGET', K.notices, A.notice_id)
if not raw then return false end
local notice = cjson.decode(raw)
local outcome = cjson.decode(A.outcome)
if notice.decision and tonumber(notice.decision.seq) >= tonumber(outcome.seq) then return false end
notice.decision = outcome
redis.call('HSET', K.notices, A.notice_id, cjson.encode(notice))
local took = tonumber(outcome.decided_at) - tonumber(notice.received_at)
redis.call('ZADD', K.notice_outcomes, outcome.decided_at, cjson.encode({notice_id = A.notice_id,
  flagger_id = notice.trusted_flagger_id or '', action = outcome.action, confirmed = outcome.confirmed,
  ms_to_action = took}))
local data = {notice_id = A.notice_id, item_id = A.item_id, category = notice.category, source = notice.source,
  decision = outcome.action, confirmed = outcome.confirmed, ground = outcome.ground,
  legal_ground = outcome.legal_ground, explanation = outcome.explanation, redress = outcome.redress,
  decided_at = outcome.decided_at, actor = 'system'}
return redis.call('XADD', K.events, 'MAXLEN', '~', A.events_maxlen, '*', 'type', 'notice.decided',
  'item_id', A.item_id, 'ts', outcome.decided_at, 'data', cjson.encode(data), 'rid', '')
