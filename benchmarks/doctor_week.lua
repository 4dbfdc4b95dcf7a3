-- wrk load for benchmarks/bench_api.py: viewers reading a doctor's week.
--
--   wrk -t2 -c20 -d60s -s benchmarks/doctor_week.lua http://127.0.0.1:PORT
--
-- Environment: ROSTER_BENCH_KEY (a viewer key), ROSTER_BENCH_DOCTORS (comma-
-- separated doctor ids), ROSTER_BENCH_WEEK, ROSTER_BENCH_RATE (requests per
-- second per connection). Each connection waits an exponentially distributed
-- time between requests, so the merged stream is close to Poisson arrivals at
-- connections x rate per second (less the response times themselves).
-- done() prints one JSON line for bench_api.py to read.

local key = os.getenv("ROSTER_BENCH_KEY")
local week = os.getenv("ROSTER_BENCH_WEEK") or "2026-W49"
local rate = tonumber(os.getenv("ROSTER_BENCH_RATE") or "10")
local doctors = {}
for id in string.gmatch(os.getenv("ROSTER_BENCH_DOCTORS"), "[^,]+") do
   doctors[#doctors + 1] = id
end

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("seed", counter)
   threads[#threads + 1] = thread
end

function init(args)
   math.randomseed(seed * 7919)
   wrk.headers["X-API-Key"] = key
end

function delay()
   return math.floor(-math.log(1 - math.random()) * 1000 / rate)
end

function request()
   local doctor = doctors[math.random(#doctors)]
   return wrk.format("GET", "/doctors/" .. doctor .. "/assignments?week=" .. week)
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"errors": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
