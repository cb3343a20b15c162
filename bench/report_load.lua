-- wrk script for bench/report_endpoint.py: every request reports a distinct item by a distinct
-- reader; prints one JSON line of results. Environment: RAQIB_KEY, RAQIB_PREFIX.
local counter = 0
local threads = {}
local key = os.getenv("RAQIB_KEY")
local prefix = os.getenv("RAQIB_PREFIX") or "w"

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local id = prefix .. "-" .. tid .. "-" .. counter
  local body = '{"item_id":"' .. id .. '","item_type":"comment","reporter_id":"r' .. id ..
    '","reason":"hate","text":"تعليق للاختبار"}'
  return wrk.format("POST", "/v1/reports",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

dofile(os.getenv("RAQIB_BENCH_DIR") .. "/wrk_done.lua")
