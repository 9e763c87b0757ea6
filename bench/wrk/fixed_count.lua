-- wrk script used by bench/callgrind_proxy.sh: POSTs the same small chat
-- completion request as chat.lua, exactly BENCH_COUNT times in all, then stops.
--
-- Environment (read in every wrk thread; run wrk with -t1 so the count is the run's):
--   BENCH_COUNT=N    requests to send (required, > 0)
--   BENCH_STREAM=1   send "stream":true (the URL must point at an SSE route)
--
-- wrk has no request-count option (-d is a duration, and wrk sleeps for all of
-- it even when its thread stops early), so delay() holds back every request
-- after the N-th (a day's delay: nothing more is written), and response()
-- prints the count and exits wrk when the N-th answer has arrived. Every
-- request sent is therefore answered before wrk exits: the server handled
-- exactly N. The line printed: "COUNT sent=N answered=N non2xx=K"; if -d runs
-- out first, wrk ends normally and prints no such line.

local body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
if os.getenv("BENCH_STREAM") == "1" then
   body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}'
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"

local count = tonumber(os.getenv("BENCH_COUNT") or "0") or 0
local sent = 0
local answered = 0
local non2xx = 0

function delay()
   sent = sent + 1
   if sent > count then
      return 86400000
   end
   return 0
end

function response(status, headers, body)
   answered = answered + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
   if answered >= count then
      io.write(string.format("COUNT sent=%d answered=%d non2xx=%d\n", math.min(sent, count), answered, non2xx))
      io.flush()
      os.exit(0)
   end
end
