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

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout
  io.write(string.format('{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), errors))
end
