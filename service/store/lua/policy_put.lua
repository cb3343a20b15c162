-- policy_put.lua: store a new version of the site's policy and its audit entry, together.
--
-- KEYS: policy audit
-- ARGV: document actor summary audit_maxlen
--
-- policy: hash {version, document (JSON, stored as given), updated_at, updated_by}; audit:
-- partition 0's audit stream (the policy lives in that slot); document: the validated policy;
-- summary: JSON of what changed.
-- Returns the new version.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local version = redis.call('HINCRBY', K.policy, 'version', 1)
redis.call('HSET', K.policy, 'document', A.document, 'updated_at', now, 'updated_by', A.actor)
local entry = {seq = version, at = now, type = 'policy.updated', actor = A.actor, version = version,
  summary = cjson.decode(A.summary)}
redis.call('XADD', K.audit, 'MAXLEN', '~', A.audit_maxlen, '*', 'actor', A.actor, 'entry', cjson.encode(entry))
return version
