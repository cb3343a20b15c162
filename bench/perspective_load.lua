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

dofile(os.getenv("RAQIB_BENCH_DIR") .. "/wrk_done.lua")
