-- claim.lua: take, renew or release a moderator's lease on an item, so that two moderators do not
-- work the same one. A claim and a release are recorded in the item's history and the audit log.
--
-- KEYS[1] claim key   KEYS[2] item hash   KEYS[3] history list   KEYS[4] audit stream
-- ARGV[1] actor   ARGV[2] lease in ms (0 = release)   ARGV[3] audit MAXLEN   ARGV[4] item_id
-- Returns {"ok", holder, ms left} or {"claimed", holder, ms left} or {"not_found"}.

if redis.call('EXISTS', KEYS[2]) == 0 then
  return {'not_found'}
end
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {'claimed', holder, redis.call('PTTL', KEYS[1])}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
local kind
if lease == 0 then
  if not holder then
    return {'ok', '', 0}
  end
  redis.call('DEL', KEYS[1])
  kind = 'item.released'
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', lease)
  kind = holder and 'item.claim_renewed' or 'item.claimed'
end
local status = redis.call('HGET', KEYS[2], 'status')
local entry = {seq = tonumber(redis.call('HGET', KEYS[2], 'seq')), at = now, type = kind, actor = ARGV[1],
  from = status, to = status, lease_ms = lease}
redis.call('RPUSH', KEYS[3], cjson.encode(entry))
entry.item_id = ARGV[4]
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[3], '*', 'actor', ARGV[1], 'entry', cjson.encode(entry))
return {'ok', lease == 0 and '' or ARGV[1], lease}
