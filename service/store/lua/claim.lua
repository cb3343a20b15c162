-- claim.lua: take, renew or release a moderator's lease on an item, so that two moderators do not
-- work the same one. A claim and a release are recorded in the item's history and the audit log.
--
-- KEYS: claim item history audit
-- ARGV: actor lease_ms audit_maxlen item_id
--
-- lease_ms: the lease (0 = release).
-- Returns {"ok", holder, ms left} or {"claimed", holder, ms left} or {"not_found"}.

if redis.call('EXISTS', K.item) == 0 then
  return {'not_found'}
end
local holder = redis.call('GET', K.claim)
if holder and holder ~= A.actor then
  return {'claimed', holder, redis.call('PTTL', K.claim)}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(A.lease_ms)
local kind
if lease == 0 then
  if not holder then
    return {'ok', '', 0}
  end
  redis.call('DEL', K.claim)
  kind = 'item.released'
else
  redis.call('SET', K.claim, A.actor, 'PX', lease)
  kind = holder and 'item.claim_renewed' or 'item.claimed'
end
local status = redis.call('HGET', K.item, 'status')
local entry = {seq = tonumber(redis.call('HGET', K.item, 'seq')), at = now, type = kind, actor = A.actor,
  from = status, to = status, lease_ms = lease}
redis.call('RPUSH', K.history, cjson.encode(entry))
entry.item_id = A.item_id
redis.call('XADD', K.audit, 'MAXLEN', '~', A.audit_maxlen, '*', 'actor', A.actor, 'entry', cjson.encode(entry))
return {'ok', lease == 0 and '' or A.actor, lease}
