-- author_sanction.lua: put a sanction on an author (premod, suspend, ban; until a time or for
-- good) or lift it, with its event (for the host to apply to its accounts) and its audit entry.
--
-- KEYS: record events audit
-- ARGV: author_id sanction actor note events_maxlen event_prefix request_id
--
-- record: the author's hash (the sanction is its JSON field); events, audit: the author's
-- partition's streams; sanction: JSON {action, until, reason_code} (action lift: none any more).
-- The note stays in the audit entry; the event carries no note.
-- Returns {event type, public event id}.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sanction = cjson.decode(A.sanction)
local kind
if sanction.action == 'lift' then
  redis.call('HDEL', K.record, 'sanction')
  kind = 'author.sanction_lifted'
else
  sanction.at, sanction.by = now, A.actor
  redis.call('HSET', K.record, 'sanction', cjson.encode(sanction))
  kind = 'author.sanctioned'
end
local data = {author_id = A.author_id, action = sanction.action, ['until'] = sanction['until'],
  reason_code = sanction.reason_code, actor = A.actor}
local id = redis.call('XADD', K.events, 'MAXLEN', '~', A.events_maxlen, '*', 'type', kind, 'item_id', '',
  'ts', now, 'data', cjson.encode(data), 'rid', A.request_id)
local entry = {at = now, type = kind, actor = A.actor, author_id = A.author_id, action = sanction.action,
  ['until'] = sanction['until'], reason_code = sanction.reason_code, note = A.note, event_id = A.event_prefix .. id}
redis.call('XADD', K.audit, 'MAXLEN', '~', A.events_maxlen, '*', 'actor', A.actor, 'entry', cjson.encode(entry))
return {kind, A.event_prefix .. id}
