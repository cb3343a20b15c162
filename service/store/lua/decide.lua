-- decide.lua: a moderator's decision on an item — remove, restore, dismiss, approve a held one,
-- or answer an appeal (uphold, reverse: by a moderator other than the one who decided) — with its
-- statement of reasons. Atomic: status, queue, history, audit, event and statistics
-- change together. restore, dismiss and approve end the item's reporting round: the reports judged
-- here no longer count. The policy rules that matched the item's submission are scored once, at its
-- first decision: confirmed by a removal, overturned otherwise (their precision, shadow rules too).
--
-- KEYS: item reporters history events review audit claim stats times overruled bank_pending
-- KEYS: review_hidden review_oldest review_held author_pending
-- ARGV: item_id action actor decision override events_maxlen event_prefix request_id bank_change
--
-- stats: statistics hash; times: decision times ("<day>:<ms from first report>"); overruled:
-- reporters whose reports no longer count; bank_pending: pending bank changes (sorted set: item id
-- -> decision time); review_hidden, review_held: queued hidden and held items; review_oldest: the
-- queue in waiting order; author_pending: items owing their author an update (owe_author, from
-- author_owe.lib.lua: a removal adds a strike, a restore lifts it, through that outbox).
-- decision: JSON (reason_code, note, statement, override); override: 0|1; request_id: kept with
-- the event; bank_change: the bank change this decision owes, add, remove or empty (recorded as
-- bank_change "<change>:<seq>", applied afterwards on the bank's slot and retried by the worker).
-- Returns {"ok", status, seq, reporters JSON, top reason} or {"not_found"}, {"claimed", holder},
-- {"already_decided", last action}, {"invalid", status}, {"no_appeal"}, {"same_moderator"}.

local item, reporters, history, review, stats = K.item, K.reporters, K.history, K.review, K.stats
local item_id, action, actor = A.item_id, A.action, A.actor

local f = redis.call('HMGET', item, 'status', 'item_type', 'decision', 'round_started_at', 'hidden_at', 'scores')
local status = f[1]
if not status then return {'not_found'} end
local holder = redis.call('GET', K.claim)
if holder and holder ~= actor then return {'claimed', holder} end
local queued = redis.call('ZSCORE', review, item_id)
if not queued and f[3] and A.override ~= '1' then return {'already_decided', f[3]} end

local appeal = redis.call('HMGET', item, 'appeal_state', 'decided_by')
if action == 'uphold' or action == 'reverse' then
  if appeal[1] ~= 'pending' then return {'no_appeal'} end
  if appeal[2] == actor then return {'same_moderator'} end
end
local target = ({remove = 'removed', restore = 'visible', dismiss = 'visible', approve = 'visible',
  uphold = status, reverse = 'visible'})[action]
if action == 'dismiss' and status ~= 'visible' then return {'invalid', status} end
if action == 'restore' and (status == 'visible' or status == 'held') then return {'invalid', status} end
if action == 'approve' and status ~= 'held' then return {'invalid', status} end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local round = redis.call('HGETALL', reporters)
local judged = {}
for i = 1, #round, 2 do table.insert(judged, round[i]) end

-- the most reported reason, for the auto-hide precision statistics
local top, top_count = 'other', -1
local fields = redis.call('HGETALL', item)
for i = 1, #fields, 2 do
  local name = string.match(fields[i], '^reason:(.*)$')
  if name and tonumber(fields[i + 1]) > top_count then top, top_count = name, tonumber(fields[i + 1]) end
end

redis.call('HSET', item, 'status', target, 'decision', action, 'decided_at', now, 'decided_by', actor)
if action == 'uphold' or action == 'reverse' then
  redis.call('HSET', item, 'appeal_state', action == 'uphold' and 'upheld' or 'reversed')
elseif action == 'remove' then
  redis.call('HDEL', item, 'appeal_state', 'appeal')  -- a new removal may be appealed
end
redis.call('ZREM', review, item_id)
redis.call('SREM', K.review_hidden, item_id)
redis.call('SREM', K.review_held, item_id)
redis.call('ZREM', K.review_oldest, item_id)
redis.call('DEL', K.claim)
if action ~= 'remove' then
  for i = 1, #judged, 1000 do  -- in chunks: unpack() is limited by Lua's stack
    redis.call('SADD', K.overruled, unpack(judged, i, math.min(i + 999, #judged)))
  end
  redis.call('DEL', reporters)
  redis.call('HSET', item, 'reports', 0, 'weight', 0, 'new_reporters', 0, 'brigade', 0)
  redis.call('HDEL', item, 'round_started_at', 'hidden_at')
  redis.call('HINCRBY', item, 'round', 1)
end

local day = math.floor(now / 86400000)  -- days since 1970 (UTC), for the per-day charts
redis.call('HINCRBY', stats, 'decisions:' .. action, 1)
redis.call('HINCRBY', stats, 'day:' .. day .. ':' .. action, 1)
if f[5] and status == 'hidden' then
  local verdict = (action == 'remove') and 'confirmed' or 'reversed'
  redis.call('HINCRBY', stats, 'autohide:' .. verdict .. ':' .. top, 1)
end
local matched = redis.call('HGET', item, 'rules')
if matched and redis.call('HSETNX', item, 'rules_judged', action) == 1 then
  local verdict = (action == 'remove') and 'confirmed' or 'overturned'
  for _, r in ipairs(cjson.decode(matched)) do
    redis.call('HINCRBY', stats, 'rule:' .. r.rule .. ':' .. (r.shadow and 'shadow_' or '') .. verdict, 1)
  end
end
if f[4] then
  redis.call('LPUSH', K.times, day .. ':' .. (now - tonumber(f[4])))
  redis.call('LTRIM', K.times, 0, 999)
end

local decision = cjson.decode(A.decision)
local kind = ({remove = 'item.removed', restore = 'item.restored', dismiss = 'item.dismissed',
  approve = 'item.approved', uphold = 'appeal.decided', reverse = 'appeal.decided'})[action]
local seq = redis.call('HINCRBY', item, 'seq', 1)
if A.bank_change ~= '' then  -- "<change>:<seq>": a later decision's change replaces this one
  redis.call('HSET', item, 'bank_change', A.bank_change .. ':' .. seq)
  redis.call('ZADD', K.bank_pending, now, item_id)
end
local data = {item_id = item_id, item_type = f[2], status = target, seq = seq, reports = #judged,
  actor = actor, decision = decision}
if f[6] then data.scores = cjson.decode(f[6]) end
local author = redis.call('HGET', item, 'author_id')
if author and action ~= 'dismiss' and action ~= 'uphold' then
  owe_author(item, K.author_pending, item_id, now, {id = item_id .. ':' .. seq, kind = action,
    reason_code = decision.reason_code, strike = action == 'remove' and decision.strike ~= false, at = now})
end
local id = redis.call('XADD', K.events, 'MAXLEN', '~', A.events_maxlen, '*', 'type', kind, 'item_id', item_id,
  'ts', now, 'data', cjson.encode(data), 'rid', A.request_id)
local entry = {seq = seq, at = now, type = kind, actor = actor, from = status, to = target, decision = decision,
  event_id = A.event_prefix .. id}
redis.call('RPUSH', history, cjson.encode(entry))
entry.item_id = item_id
redis.call('XADD', K.audit, 'MAXLEN', '~', A.events_maxlen, '*', 'actor', actor, 'entry', cjson.encode(entry))
return {'ok', target, seq, cjson.encode(judged), top}
