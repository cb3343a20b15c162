-- submit.lua: apply the policy's decision on a submitted (or edited) item. Atomic: its fields,
-- status, queue, history, audit, event and the rules' counts change together. The decision was
-- made before, by the pure policy engine (service/moderation/policy.py); this script only applies
-- it. record_event, enqueue and dequeue come from item.lib.lua, owe_author from author_owe.lib.lua
-- (the author's counts follow through that outbox).
--
-- KEYS: item history events review audit review_hidden review_oldest review_held stats author_pending
-- ARGV: item_id item_type fields settings
--
-- fields: JSON set on the item (text, scores, offensive, author_id, context, section, image, …);
-- settings: JSON with decision (publish | flag | hold | reject), reasons (every rule that matched,
-- for the history), rules ([{rule, shadow}] for the statistics), threshold and rule (the report
-- threshold the scores imply, absent: kept), events_maxlen, event_prefix, request_id, source (what
-- decided: absent for the request, image_analysis when a submitted image's scores landed).
-- An item a moderator removed stays removed (the edit is recorded); a hidden one stays hidden unless
-- the decision is stronger (hold, reject): its readers' reports still stand.
-- Returns {status, seq, edit 0|1, author id, owed author updates (JSON)} (the last two empty when
-- none) or {"type_mismatch", type}.

local item, history, review, stats = K.item, K.history, K.review, K.stats
local item_id, item_type = A.item_id, A.item_type
local s = cjson.decode(A.settings)
local q = {review = review, hidden = K.review_hidden, oldest = K.review_oldest, held = K.review_held}

local existing = redis.call('HGET', item, 'item_type')
if existing and existing ~= item_type then
  return {'type_mismatch', existing}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not existing then
  redis.call('HSET', item, 'item_type', item_type, 'status', 'visible', 'created_at', now,
    'threshold', s.threshold, 'threshold_rule', s.rule, 'reports', 0, 'weight', 0, 'new_reporters', 0, 'seq', 0)
end
local edit = redis.call('HEXISTS', item, 'submitted_at')
for k, v in pairs(cjson.decode(A.fields)) do
  redis.call('HSET', item, k, v)
end
redis.call('HSET', item, 'submitted_at', now, 'decision_at_submission', s.decision)
redis.call('HDEL', item, 'rules', 'rules_judged')
if #s.rules > 0 then redis.call('HSET', item, 'rules', cjson.encode(s.rules)) end
if s.threshold and redis.call('HGET', item, 'decision') == false then
  redis.call('HSET', item, 'threshold', s.threshold, 'threshold_rule', s.rule)
end
redis.call('HINCRBY', item, 'submissions', 1)
for _, r in ipairs(s.rules) do
  redis.call('HINCRBY', stats, 'rule:' .. r.rule .. ':' .. (r.shadow and 'shadow' or 'acted'), 1)
end

local status = redis.call('HGET', item, 'status')
local ctx = {item = item, history = history, events = K.events, audit = K.audit, item_id = item_id,
  item_type = item_type, now = now, maxlen = s.events_maxlen, prefix = s.event_prefix, rid = s.request_id}
local extra = {signal = 'submission', decision = s.decision, edit = edit == 1}
if #s.reasons > 0 then extra.reasons = s.reasons end  -- (cjson would write an empty list as {})
if s.source then extra.source = s.source end  -- image_analysis: the worker's scores decided it

local target = ({publish = 'visible', flag = 'visible', hold = 'held', reject = 'rejected'})[s.decision]
if status == 'removed' or (status == 'hidden' and (target == 'visible')) then
  target = status  -- a moderator's removal, or readers' reports, stand
end
local kind = ({held = 'item.held', rejected = 'item.rejected'})[target]
  or (s.decision == 'flag' and 'item.flagged' or 'item.published')
if target == status and status ~= 'visible' then kind = 'item.edited' end
if target ~= status then
  redis.call('HSET', item, 'status', target)
  if target == 'rejected' then redis.call('HDEL', item, 'appeal_state', 'appeal') end  -- appealable anew
  if target == 'held' then
    redis.call('HSET', item, 'held_at', now)
    redis.call('HSET', item, 'round_started_at', now)
  end
end
local seq = record_event(ctx, kind, edit == 1 and status or 'new', target, extra)
local author = redis.call('HGET', item, 'author_id')
if author and not s.source then
  owe_author(item, K.author_pending, item_id, now, {id = item_id .. ':' .. seq, kind = 'submitted',
    decision = s.decision, at = now})
end

if target == 'held' or (target == 'visible' and s.decision == 'flag') or target == 'hidden' then
  enqueue(q, item, item_id, target)
elseif target == 'rejected' or (target == 'visible' and status == 'held') then
  dequeue(q, item_id)
end
return {target, seq, edit, author or '', redis.call('HGET', item, 'author_owed') or ''}
