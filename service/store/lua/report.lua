-- report.lua: record one report of an item and hide the item once enough distinct, trusted
-- people reported it. Atomic: counts, hide, queue, history, audit and events change together or
-- not at all, and a hide happens exactly once. One HMGET reads what the report needs of the item
-- and one HSET writes what it changes. touch_reporter comes from reporter.lib.lua, append_event,
-- queue_priority and queue_item from item.lib.lua.
--
-- KEYS: item reporters reports history events review audit overruled review_hidden review_oldest
-- KEYS: review_held [rate trust jobs bank]
-- ARGV: item_id item_type reporter_id reason report fields settings
--
-- reporters: reporter -> weight; overruled: reporters whose reports were judged in an earlier
-- round (they count no more); review_hidden, review_held: queued hidden and held items;
-- review_oldest: the queue in waiting order. A held or rejected item's reports are recorded and
-- change nothing. The optional keys, on a single server only (a cluster keeps them on other
-- slots): rate, trust, the reporter's rate-limit counter and trust hash (the reporter's
-- bookkeeping then runs here too, and a limited report changes nothing); jobs, the scoring
-- stream, where the item's first text is queued for the worker's classifier (settings.score) in
-- the same step; bank, the text bank's entries, whose size says whether the caller need look
-- for a near-copy of that first text at all.
-- report: JSON (note, context); fields: JSON stored on a new item (its text also on an item that
-- has no text yet); settings: JSON with threshold, rule (for a new item), events_maxlen,
-- min_reporters, weighted, brigade_ratio, brigade_min, new_ms, rate_limit, rate_window,
-- event_prefix (the public event id is event_prefix .. stream id), request_id (kept with each
-- event), score, jobs_maxlen, and without the reporter's keys: weight, is_new (from
-- reporter_touch.lua).
-- Returns {status, reports, threshold, duplicate 0|1, hidden_now 0|1, seq, new_text 0|1, banked, weight},
-- banked: the bank's size when new_text and the bank key was given, else -1; weight: the reports'
-- trust-weighted sum (a string: Redis would truncate a number);
-- or {"type_mismatch", type}, or {"rate_limited", seconds to wait}.

local item, reporters, history, review, overruled = K.item, K.reporters, K.history, K.review, K.overruled
local item_id, item_type, reporter, reason = A.item_id, A.item_type, A.reporter_id, A.reason
local s = cjson.decode(A.settings)

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local weight, is_new = tonumber(s.weight), tonumber(s.is_new)
if K.rate then
  local r = touch_reporter(K.rate, K.trust, s.rate_limit, s.rate_window, now, s.new_ms)
  if r[1] > 0 then
    return {'rate_limited', r[1]}
  end
  weight, is_new = r[2], r[3]
end

-- Everything the report reads of the item, in one call; what it changes is written in one HSET.
local f = redis.call('HMGET', item, 'item_type', 'status', 'reports', 'threshold', 'seq', 'threshold_rule',
  'weight', 'new_reporters', 'reason:' .. reason, 'first_report_at', 'round_started_at', 'offensive',
  'priority_boost', 'scores', 'brigade', 'text')
local existing = f[1]
if existing and existing ~= item_type then
  return {'type_mismatch', existing}
end
local fields = cjson.decode(A.fields)
local set = {}  -- field -> value, written once at the end
local function put(k, v) set[#set + 1] = k; set[#set + 1] = v end
local new_text = 0  -- the item's first text, from a new item's report or a later one: scored by the worker
local status, count, threshold, seq, rule = f[2], tonumber(f[3]), tonumber(f[4]), tonumber(f[5]), f[6]
if not existing then
  status, count, threshold, seq, rule = 'visible', 0, s.threshold, 0, s.rule
  put('item_type', item_type); put('created_at', now); put('threshold', threshold); put('threshold_rule', rule)
  for k, v in pairs(fields) do put(k, v) end
  if fields.text then new_text = 1 end
elseif fields.text and not f[16] then
  new_text = 1
  put('text', fields.text)
end
local banked = -1
if new_text == 1 then
  if s.score and K.jobs then
    redis.call('XADD', K.jobs, 'MAXLEN', '~', s.jobs_maxlen, '*', 'item_id', item_id)
  end
  if K.bank then banked = redis.call('HLEN', K.bank) end
end

local duplicate = existing and
  (redis.call('HEXISTS', reporters, reporter) == 1 or redis.call('SISMEMBER', overruled, reporter) == 1)
if duplicate then
  if #set > 0 then redis.call('HSET', item, unpack(set)) end
  return {status, count, threshold, 1, 0, seq, new_text, banked, tostring(tonumber(f[7]) or 0)}
end

local ctx = {item = item, history = history, events = K.events, audit = K.audit, item_id = item_id,
  item_type = item_type, now = now, maxlen = s.events_maxlen, prefix = s.event_prefix, rid = s.request_id}
local scores = f[14]
local function record(kind, from, to, extra)
  seq = seq + 1
  append_event(ctx, kind, from, to, extra, seq, count, scores)
end

redis.call('HSET', reporters, reporter, weight)
count = count + 1
local total = (tonumber(f[7]) or 0) + weight
local fresh = (tonumber(f[8]) or 0) + is_new
local round_started = tonumber(f[11]) or now
put('reports', count); put('weight', tostring(total)); put('new_reporters', fresh)
put('reason:' .. reason, (tonumber(f[9]) or 0) + 1)
put('first_report_at', f[10] or now); put('round_started_at', round_started); put('last_report_at', now)
local report = cjson.decode(A.report)
report.reporter_id, report.reason, report.weight, report.at, report.new_reporter = reporter, reason, weight, now, is_new
redis.call('RPUSH', K.reports, cjson.encode(report))
record('item.reported', status, status, {reason = reason})

local hidden_now = 0
local enough = count >= math.min(s.min_reporters, threshold)
if s.weighted then enough = enough and total >= threshold else enough = count >= threshold end
if status == 'visible' and enough then
  local brigade = count >= s.brigade_min and fresh / count >= s.brigade_ratio
  if brigade and f[15] ~= '1' then
    put('brigade', '1')
    record('item.brigade_suspected', status, status,
      {signal = 'brigade', reports = count, new_reporters = fresh, rule = 'brigade_to_review'})
  elseif not brigade then
    put('status', 'hidden'); put('hidden_at', now)
    status = 'hidden'
    record('item.hidden', 'visible', 'hidden', {rule = rule, threshold = threshold, weight = total})
    hidden_now = 1
  end
end
if not existing and status == 'visible' then put('status', 'visible') end
put('seq', seq)
redis.call('HSET', item, unpack(set))

if status == 'visible' or status == 'hidden' then
  local shown = status == 'hidden' and 1 or 0
  local priority = queue_priority(total, tonumber(f[12]) or 0, shown, round_started, tonumber(f[13]) or 0)
  queue_item({review = review, hidden = K.review_hidden, oldest = K.review_oldest, held = K.review_held},
    item_id, status, priority, round_started, existing ~= false)
end
return {status, count, threshold, 0, hidden_now, seq, new_text, banked, tostring(total)}
