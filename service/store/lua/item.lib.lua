-- item.lib.lua: what every transition of an item writes, shared by report.lua, submit.lua and
-- analysis_landed.lua. ctx = {item, history, events, audit (keys), item_id, item_type, now,
-- maxlen, prefix (public event id prefix), rid (request id)}.

-- Append an event (with the item's scores) and, for state changes and signals, a history and an
-- audit entry, for a caller that already knows the item's new seq, its reports and its scores
-- (JSON or false): report.lua reads them with everything else in one HMGET.
local function append_event(ctx, kind, from, to, extra, seq, reports, scores)
  local data = {item_id = ctx.item_id, item_type = ctx.item_type, status = to, seq = seq,
    reports = reports, actor = 'system'}
  if scores then data.scores = cjson.decode(scores) end
  for k, v in pairs(extra) do data[k] = v end
  local id = redis.call('XADD', ctx.events, 'MAXLEN', '~', ctx.maxlen, '*',
    'type', kind, 'item_id', ctx.item_id, 'ts', ctx.now, 'data', cjson.encode(data), 'rid', ctx.rid or '')
  if from ~= to or extra.signal then
    local entry = {seq = seq, at = ctx.now, type = kind, actor = 'system', from = from, to = to,
      event_id = ctx.prefix .. id}
    for k, v in pairs(extra) do entry[k] = v end
    redis.call('RPUSH', ctx.history, cjson.encode(entry))
    entry.item_id = ctx.item_id
    redis.call('XADD', ctx.audit, 'MAXLEN', '~', ctx.maxlen, '*', 'actor', 'system', 'entry', cjson.encode(entry))
  end
end

-- append_event after counting the event in the item's seq and reading its reports and scores.
-- Returns the item's new seq.
local function record_event(ctx, kind, from, to, extra)
  local seq = redis.call('HINCRBY', ctx.item, 'seq', 1)
  local found = redis.call('HMGET', ctx.item, 'reports', 'scores')
  append_event(ctx, kind, from, to, extra, seq, tonumber(found[1]), found[2])
  return seq
end

-- The review priority stored in the sorted set. What a moderator is shown is
--   weighted reports + 3 x offensive score + 2 if hidden + the notice boost (a trusted flagger's
--   notice ranks an item ahead of readers' reports alone) + 1 per 6 h of waiting
-- and the waiting part, (now - started) / 6 h, is stored as -started / 6 h so that waiting needs
-- no rewrite: the reader adds now / 6 h (store/review.py, shown_priority: the same arithmetic).
local WAIT_BONUS_MS = 21600000
local function queue_priority(weight, offensive, hidden, started_ms, boost)
  return weight + 3 * offensive + 2 * hidden + boost - started_ms / WAIT_BONUS_MS
end

-- Put the item in the review queue (or move it there) with its priority, and in its waiting order
-- (minus the round's start), and in the sets of queued hidden and held items exactly when it is
-- so (``was_queued`` false: it is in none of them yet). q = {review, hidden, oldest, held} (keys).
local function queue_item(q, item_id, status, priority, started, was_queued)
  redis.call('ZADD', q.review, priority, item_id)
  redis.call('ZADD', q.oldest, -started, item_id)
  if status == 'hidden' then redis.call('SADD', q.hidden, item_id)
  elseif was_queued then redis.call('SREM', q.hidden, item_id) end
  if status == 'held' then redis.call('SADD', q.held, item_id)
  elseif was_queued then redis.call('SREM', q.held, item_id) end
end

-- queue_item with the priority of the item's stored fields.
local function enqueue(q, item, item_id, status)
  local f = redis.call('HMGET', item, 'weight', 'offensive', 'round_started_at', 'created_at', 'priority_boost')
  local hidden = (status == 'hidden' or status == 'held') and 1 or 0
  local priority = queue_priority(tonumber(f[1]) or 0, tonumber(f[2]) or 0, hidden, tonumber(f[3]) or 0,
    tonumber(f[5]) or 0)
  queue_item(q, item_id, status, priority, tonumber(f[3] or f[4]) or 0, true)
end

-- Take the item out of the review queue and its sets.
local function dequeue(q, item_id)
  redis.call('ZREM', q.review, item_id)
  redis.call('ZREM', q.oldest, item_id)
  redis.call('SREM', q.hidden, item_id)
  redis.call('SREM', q.held, item_id)
end
