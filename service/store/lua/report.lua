-- report.lua: record one report of an item and hide the item once enough distinct people reported
-- it. Atomic: the count, the hide and both events happen together or not at all, exactly once.
--
-- KEYS[1] item hash        KEYS[2] reporters hash (reporter -> weight)
-- KEYS[3] reports list     KEYS[4] history list (state changes, JSON)
-- KEYS[5] events stream of the item's partition
-- KEYS[6] (optional, single server only) the reporter's rate-limit counter: checked first, so a
--         limited report changes nothing else and costs no second round trip
-- ARGV[1] item_id          ARGV[2] item_type (comment|image)    ARGV[3] reporter_id
-- ARGV[4] reporter weight  ARGV[5] reason                       ARGV[6] report JSON (note, context)
-- ARGV[7] threshold for a new item   ARGV[8] the rule that chose it   ARGV[9] events MAXLEN
-- ARGV[10] JSON object of fields stored on a new item (text, image reference, scores)
-- ARGV[11], ARGV[12] with KEYS[6]: the limit and its window in seconds
-- Returns {status, reports, threshold, duplicate 0|1, hidden_now 0|1, seq},
-- or {"type_mismatch", type}, or {"rate_limited", seconds to wait}.

local item, reporters, reports, history, events = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local item_id, item_type, reporter = ARGV[1], ARGV[2], ARGV[3]
local weight, reason = tonumber(ARGV[4]), ARGV[5]

if KEYS[6] then
  local count = redis.call('INCR', KEYS[6])
  if count == 1 or redis.call('TTL', KEYS[6]) < 0 then
    redis.call('EXPIRE', KEYS[6], ARGV[12])
  end
  if count > tonumber(ARGV[11]) then
    return {'rate_limited', redis.call('TTL', KEYS[6])}
  end
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local existing = redis.call('HGET', item, 'item_type')
if existing and existing ~= item_type then
  return {'type_mismatch', existing}
end
if not existing then
  redis.call('HSET', item, 'item_type', item_type, 'status', 'visible', 'created_at', now,
    'threshold', ARGV[7], 'threshold_rule', ARGV[8], 'reports', 0, 'weight', 0, 'seq', 0)
  for k, v in pairs(cjson.decode(ARGV[10])) do
    redis.call('HSET', item, k, v)
  end
end

local state = redis.call('HMGET', item, 'status', 'reports', 'threshold', 'seq', 'scores')
local status, threshold = state[1], tonumber(state[3])
if redis.call('HEXISTS', reporters, reporter) == 1 then
  return {status, tonumber(state[2]), threshold, 1, 0, tonumber(state[4])}
end

local function event(kind, extra)
  local seq = redis.call('HINCRBY', item, 'seq', 1)
  local data = {item_id = item_id, item_type = item_type, status = status, seq = seq,
    reports = tonumber(redis.call('HGET', item, 'reports')), actor = 'system'}
  if state[5] then data.scores = cjson.decode(state[5]) end
  for k, v in pairs(extra) do data[k] = v end
  local id = redis.call('XADD', events, 'MAXLEN', '~', ARGV[9], '*',
    'type', kind, 'item_id', item_id, 'ts', now, 'data', cjson.encode(data))
  return seq, id
end

redis.call('HSET', reporters, reporter, weight)
local count = redis.call('HINCRBY', item, 'reports', 1)
redis.call('HINCRBYFLOAT', item, 'weight', weight)
redis.call('HINCRBY', item, 'reason:' .. reason, 1)
redis.call('HSETNX', item, 'first_report_at', now)
redis.call('HSET', item, 'last_report_at', now)
local report = cjson.decode(ARGV[6])
report.reporter_id, report.reason, report.weight, report.at = reporter, reason, weight, now
redis.call('RPUSH', reports, cjson.encode(report))
local seq = event('item.reported', {reason = reason})

local hidden_now = 0
if status == 'visible' and count >= threshold then
  status = 'hidden'
  redis.call('HSET', item, 'status', 'hidden', 'hidden_at', now)
  local rule = redis.call('HGET', item, 'threshold_rule')
  local id
  seq, id = event('item.hidden', {rule = rule, threshold = threshold})
  redis.call('RPUSH', history, cjson.encode({seq = seq, at = now, type = 'item.hidden', actor = 'system',
    from = 'visible', to = 'hidden', rule = rule, reports = count, threshold = threshold, event_id = id}))
  hidden_now = 1
end
return {status, count, threshold, 0, hidden_now, seq}
