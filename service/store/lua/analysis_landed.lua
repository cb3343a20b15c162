-- analysis_landed.lua: store what was found in an item — by the worker in its image (PDQ hash,
-- text read, scores) or in a comment's text (the classifier's scores, off the report path), or by
-- a report's request in the text bank (a near-copy of a removed comment) — and act on it. Atomic,
-- like report.lua. A bank match hides the item at once (rule match_rule, pdq_match by default;
-- the match recorded); otherwise scores may move the threshold, and the item hides if the reports
-- it already has now suffice. An item a moderator decided is never re-hidden here. record_event
-- and enqueue come from item.lib.lua.
--
-- KEYS: item history events review audit review_hidden review_oldest review_held
-- ARGV: item_id fields settings
--
-- review_hidden, review_held: queued hidden and held items; review_oldest: the queue in waiting
-- order. fields: JSON set on the item; settings: JSON with match ({entry, item_id, distance or
-- similarity} or absent), match_rule, threshold and rule (absent = keep), flagged (categories),
-- min_reporters, weighted, events_maxlen, event_prefix, once (the field whose presence means this
-- already landed: analysed_at for images, scored_at for scores, bank_match for a text match),
-- signal (what found it, for item.flagged: image_analysis or classifier).
-- Returns {status, hidden_now 0|1} or {"not_found"}.

local item, review = K.item, K.review
local item_id = A.item_id
local s = cjson.decode(A.settings)
local f = redis.call('HMGET', item, 'status', 'item_type', 'decision', 'reports', 'weight', 'brigade')
local status = f[1]
if not status then return {'not_found'} end
if redis.call('HEXISTS', item, s.once or 'analysed_at') == 1 then return {status, 0} end  -- a retried job

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ctx = {item = item, history = K.history, events = K.events, audit = K.audit, item_id = item_id,
  item_type = f[2], now = now, maxlen = s.events_maxlen, prefix = s.event_prefix}

for k, v in pairs(cjson.decode(A.fields)) do
  redis.call('HSET', item, k, v)
end
if s.flagged and #s.flagged > 0 then
  record_event(ctx, 'item.flagged', status, status, {signal = s.signal or 'image_analysis', flagged = s.flagged})
end

local hide_rule, extra = nil, {}
if s.match then
  redis.call('HSET', item, 'bank_match', cjson.encode(s.match))
  hide_rule, extra = s.match_rule or 'pdq_match', {match = s.match}
elseif s.threshold then
  redis.call('HSET', item, 'threshold', s.threshold, 'threshold_rule', s.rule)
  local count, total, threshold = tonumber(f[4]) or 0, tonumber(f[5]) or 0, tonumber(s.threshold)
  local enough = count >= math.min(s.min_reporters, threshold)
  if s.weighted then enough = enough and total >= threshold else enough = count >= threshold end
  if enough and count > 0 and f[6] ~= '1' then
    hide_rule, extra = s.rule, {threshold = threshold, weight = total}
  end
end

local hidden_now = 0
if hide_rule and status == 'visible' and not f[3] then
  redis.call('HSET', item, 'status', 'hidden', 'hidden_at', now)
  redis.call('HSETNX', item, 'round_started_at', now)
  extra.rule = hide_rule
  record_event(ctx, 'item.hidden', 'visible', 'hidden', extra)
  status, hidden_now = 'hidden', 1
end
if status ~= 'removed' and status ~= 'rejected' and (hidden_now == 1 or redis.call('ZSCORE', review, item_id)) then
  enqueue({review = review, hidden = K.review_hidden, oldest = K.review_oldest, held = K.review_held},
    item, item_id, status)
end
return {status, hidden_now}
