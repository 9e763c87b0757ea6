-- wrk script used by bench/proxy.sh: POSTs a small chat completion request.
--
-- Environment (read in every wrk thread):
--   BENCH_STREAM=1         send "stream":true (the URL must point at an SSE route)
--   BENCH_HEADERS          extra request headers, one "Name: value" per line
--   BENCH_RATE=N           offered rate in requests/s for the whole run; 0 or
--                          unset = closed loop (every connection sends as fast
--                          as responses come back)
--   BENCH_THREADS=N        the -t given to wrk, to split BENCH_RATE per thread
--
-- With BENCH_RATE set, delay() paces each thread against a fixed schedule of
-- send slots (one every threads/rate seconds) read from CLOCK_MONOTONIC, so the
-- offered rate stays fixed whatever the response time, as long as a connection
-- is free when its slot comes. wrk's timers have a 1 ms resolution, so requests
-- whose slots fall within the same millisecond leave together.
--
-- done() prints one machine-readable line, "BENCH key=value ...", latencies in
-- microseconds, which proxy.sh parses.

local body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
if os.getenv("BENCH_STREAM") == "1" then
   body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}'
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"

local extra = os.getenv("BENCH_HEADERS") or ""
for line in extra:gmatch("[^\n]+") do
   local name, value = line:match("^%s*([^:]+):%s*(.-)%s*$")
   if name then
      wrk.headers[name] = value
   end
end

local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local threads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1

if rate > 0 then
   local ffi = require("ffi")
   ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
      int clock_gettime(int clock_id, bench_timespec_t *tp);
   ]]
   local CLOCK_MONOTONIC = 1
   local ts = ffi.new("bench_timespec_t")
   local function now_us()
      ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
      return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
   end

   local interval_us = 1e6 * threads / rate
   -- How far the schedule may run behind before missed slots are dropped
   -- rather than sent in a burst (a server slower than the offered rate).
   local max_lag_us = 5000
   local next_us = nil

   function delay()
      local now = now_us()
      if next_us == nil or next_us < now - max_lag_us then
         next_us = now
      end
      local slot = next_us
      next_us = next_us + interval_us
      local wait_us = slot - now
      if wait_us <= 0 then
         return 0
      end
      return math.floor(wait_us / 1000 + 0.5)
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50=%d p90=%d p99=%d p999=%d max=%d mean=%.1f " ..
      "err_connect=%d err_read=%d err_write=%d err_timeout=%d err_status=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, latency.mean,
      e.connect, e.read, e.write, e.timeout, e.status))
end
