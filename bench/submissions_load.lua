-- wrk script for bench/submissions.py: every request is a new comment, submitted
-- (RAQIB_KIND=submissions) or reported (RAQIB_KIND=reports); prints one JSON line of results.
local counter = 0
local threads = {}
local key = os.getenv("RAQIB_KEY")
local prefix = os.getenv("RAQIB_PREFIX") or "w"
local kind = os.getenv("RAQIB_KIND") or "submissions"
local texts = {"تعليق للاختبار، شكرا على المقال", "يا حمار سير تقود", "مبروك للفريق هاد الفوز المستحق"}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local id = prefix .. "-" .. tid .. "-" .. counter
  local text = texts[counter % #texts + 1]
  local body
  if kind == "submissions" then
    body = '{"item_id":"' .. id .. '","item_type":"comment","author_id":"a' .. (counter % 50) ..
      '","text":"' .. text .. '"}'
  else
    body = '{"item_id":"' .. id .. '","item_type":"comment","reporter_id":"r' .. id ..
      '","reason":"hate","text":"' .. text .. '"}'
  end
  return wrk.format("POST", "/v1/" .. kind,
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

dofile(os.getenv("RAQIB_BENCH_DIR") .. "/wrk_done.lua")
