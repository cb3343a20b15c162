-- wrk_done.lua: what every wrk script of this folder prints when the run ends: one JSON line
-- (requests, seconds, p50 and p99 in µs, errors), read by bench/common.py. Loaded with dofile.
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout
  io.write(string.format('{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), errors))
end
