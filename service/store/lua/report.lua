-- report.lua: record one report of an item and hide the item once enough distinct, trusted
-- people reported it. Atomic: counts, hide, queue, history, audit and events change together or
-- not at all, and a hide happens exactly once. touch_reporter comes from reporter.lib.lua,
-- record_event and enqueue from item.lib.lua.
--
-- KEYS[1] item hash        KEYS[2] reporters hash (reporter -> weight)   KEYS[3] reports list
-- KEYS[4] history list     KEYS[5] events stream     KEYS[6] review queue   KEYS[7] audit stream
-- KEYS[8] overruled reporters set (their reports were judged in an earlier round: they count no more)
-- KEYS[9] queued hidden items set   KEYS[10] queue in waiting order
-- KEYS[11], KEYS[12] (single server only) the reporter's rate-limit counter and trust hash: then the
--         reporter's bookkeeping runs here too, and a limited report changes nothing
-- ARGV[1] item_id   ARGV[2] item_type   ARGV[3] reporter_id   ARGV[4] reason
-- ARGV[5] report JSON (note, context)   ARGV[6] JSON fields stored on a new item
-- ARGV[7] settings JSON: threshold, rule (for a new item), events_maxlen, min_reporters, weighted,
--         brigade_ratio, brigade_min, new_ms, rate_limit, rate_window, event_prefix (the public
--         event id is event_prefix .. stream id), request_id (kept with each event), flagged (categories the classifier flagged on a
--         new item: an item.flagged event), and without KEYS[11]:
--         weight, is_new (from reporter_touch.lua)
-- Returns {status, reports, threshold, duplicate 0|1, hidden_now 0|1, seq},
-- or {"type_mismatch", type}, or {"rate_limited", seconds to wait}.

local item, reporters, reports, history, events, review, audit, overruled =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local review_hidden, review_oldest = KEYS[9], KEYS[10]
local item_id, item_type, reporter, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local s = cjson.decode(ARGV[7])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local weight, is_new = tonumber(s.weight), tonumber(s.is_new)
if KEYS[11] then
  local r = touch_reporter(KEYS[11], KEYS[12], s.rate_limit, s.rate_window, now, s.new_ms)
  if r[1] > 0 then
    return {'rate_limited', r[1]}
  end
  weight, is_new = r[2], r[3]
end

local existing = redis.call('HGET', item, 'item_type')
if existing and existing ~= item_type then
  return {'type_mismatch', existing}
end
if not existing then
  redis.call('HSET', item, 'item_type', item_type, 'status', 'visible', 'created_at', now,
    'threshold', s.threshold, 'threshold_rule', s.rule, 'reports', 0, 'weight', 0, 'new_reporters', 0, 'seq', 0)
  for k, v in pairs(cjson.decode(ARGV[6])) do
    redis.call('HSET', item, k, v)
  end
end

local state = redis.call('HMGET', item, 'status', 'reports', 'threshold', 'seq', 'scores', 'threshold_rule')
local status, threshold, rule = state[1], tonumber(state[3]), state[6]
if redis.call('HEXISTS', reporters, reporter) == 1 or redis.call('SISMEMBER', overruled, reporter) == 1 then
  return {status, tonumber(state[2]), threshold, 1, 0, tonumber(state[4])}
end

local ctx = {item = item, history = history, events = events, audit = audit, item_id = item_id,
  item_type = item_type, now = now, maxlen = s.events_maxlen, prefix = s.event_prefix, rid = s.request_id}
local function record(kind, from, to, extra)
  return record_event(ctx, kind, from, to, extra)
end

if not existing and s.flagged and #s.flagged > 0 then
  record('item.flagged', status, status, {signal = 'classifier', flagged = s.flagged})
end

redis.call('HSET', reporters, reporter, weight)
local count = redis.call('HINCRBY', item, 'reports', 1)
local total = tonumber(redis.call('HINCRBYFLOAT', item, 'weight', weight))
local fresh = redis.call('HINCRBY', item, 'new_reporters', is_new)
redis.call('HINCRBY', item, 'reason:' .. reason, 1)
redis.call('HSETNX', item, 'first_report_at', now)
redis.call('HSETNX', item, 'round_started_at', now)
redis.call('HSET', item, 'last_report_at', now)
local report = cjson.decode(ARGV[5])
report.reporter_id, report.reason, report.weight, report.at, report.new_reporter = reporter, reason, weight, now, is_new
redis.call('RPUSH', reports, cjson.encode(report))
local seq = record('item.reported', status, status, {reason = reason})

local hidden_now = 0
local enough = count >= math.min(s.min_reporters, threshold)
if s.weighted then enough = enough and total >= threshold else enough = count >= threshold end
if status == 'visible' and enough then
  local brigade = count >= s.brigade_min and fresh / count >= s.brigade_ratio
  if brigade and redis.call('HGET', item, 'brigade') ~= '1' then
    redis.call('HSET', item, 'brigade', '1')
    seq = record('item.brigade_suspected', status, status,
      {signal = 'brigade', reports = count, new_reporters = fresh, rule = 'brigade_to_review'})
  elseif not brigade then
    redis.call('HSET', item, 'status', 'hidden', 'hidden_at', now)
    status = 'hidden'
    seq = record('item.hidden', 'visible', 'hidden', {rule = rule, threshold = threshold, weight = total})
    hidden_now = 1
  end
end

if status ~= 'removed' then
  enqueue(review, review_hidden, review_oldest, item, item_id, status)
end
return {status, count, threshold, 0, hidden_now, seq}
