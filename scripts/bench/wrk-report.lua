-- wrk script for scripts/bench. WRK_METHOD sets the method (default GET). WRK_UNIQUE=1 appends
-- "&TaskId=<n>" with a number never used before in the run (per thread), so that no two
-- requests are alike: no cache entry and no coalescing can answer them. At the end, one JSON
-- line on stdout with the exact latency percentiles in microseconds.
wrk.method = os.getenv("WRK_METHOD") or "GET"

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

if os.getenv("WRK_UNIQUE") == "1" then
  local counter = 0
  request = function()
    counter = counter + 1
    return wrk.format(nil, wrk.path .. "&TaskId=" .. string.format("%d", tid * 1000000000 + counter))
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
