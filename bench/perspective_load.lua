-- wrk script for bench/perspective.py: cycles through prepared requests read from the file
-- RAQIB_BODIES (one a line: path, a tab, the JSON body); prints one JSON line of results.
local key = os.getenv("RAQIB_KEY")
local requests_ = {}
for line in io.lines(os.getenv("RAQIB_BODIES")) do
  local path, body = line:match("^([^\t]*)\t(.*)$")
  table.insert(requests_, {path, body})
end
local counter = 0

function request()
  counter = counter + 1
  local pair = requests_[counter % #requests_ + 1]
  return wrk.format("POST", pair[1],
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, pair[2])
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout
  io.write(string.format('{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), errors))
end
