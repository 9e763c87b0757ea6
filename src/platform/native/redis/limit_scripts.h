// The Lua scripts that keep a key's shared limits in Redis. Each runs
// atomically and reads Redis's own clock (TIME), so replicas whose clocks
// disagree still count in one time line. Keys, per API key id K:
//   PREFIX{K}:rpm   requests per minute: GCRA, the theoretical arrival time
//                   (µs) of a bucket of rpm refilling rpm per minute
//   PREFIX{K}:tpm   tokens per minute: a bucket {level, ts}; estimates are
//                   reserved on admission and settled with the real count
//   PREFIX{K}:conc  concurrency: a sorted set of leases scored by expiry (ms)
//   PREFIX{K}:day   the UTC day's spending {day, tokens, cost}, kept 2 days
#pragma once

namespace edgeai::platform::native {

// KEYS rpm tpm conc day; ARGV rpm tpm conc day_tokens day_cost estimate
// lease lease_ttl_ms. Returns {refusal (0: admitted), retry_after_ms,
// remaining_requests, remaining_tokens, lease}.
inline constexpr const char* kAdmitScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local day_tokens, day_cost, est = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl = tonumber(ARGV[8])
local window = 60000000
local rem_req, rem_tok = -1, -1
local new_tat = 0
if rpm > 0 then
  local interval = window / rpm
  local tat = tonumber(redis.call('GET', KEYS[1]) or now)
  if tat < now then tat = now end
  new_tat = tat + interval
  if new_tat - now > window then
    return {1, math.ceil((new_tat - window - now) / 1000), 0, rem_tok, ''}
  end
  rem_req = math.floor((window - (new_tat - now)) / interval)
end
local level, wanted = 0, 0
if tpm > 0 then
  local b = redis.call('HMGET', KEYS[2], 'level', 'ts')
  level = tonumber(b[1]) or tpm
  local ts = tonumber(b[2]) or now
  level = math.min(tpm, level + math.max(0, now - ts) * tpm / window)
  wanted = math.min(est, tpm)
  local need = math.max(wanted, 1)
  if level < need then
    return {2, math.ceil((need - level) * window / tpm / 1000), rem_req,
            math.max(0, math.floor(level)), ''}
  end
end
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('%d', math.floor(now / 1000)))
  if redis.call('ZCARD', KEYS[3]) >= conc then return {3, 1000, rem_req, rem_tok, ''} end
end
local day = math.floor(now / 86400000000)
local spent_tok, spent_cost = 0, 0
if day_tokens > 0 or day_cost > 0 then
  local d = redis.call('HMGET', KEYS[4], 'day', 'tokens', 'cost')
  if tonumber(d[1]) == day then
    spent_tok, spent_cost = tonumber(d[2]) or 0, tonumber(d[3]) or 0
  end
  local to_midnight = math.ceil(((day + 1) * 86400000000 - now) / 1000)
  if day_tokens > 0 and (spent_tok >= day_tokens or spent_tok + est > day_tokens) then
    return {4, to_midnight, rem_req, rem_tok, ''}
  end
  if day_cost > 0 and spent_cost >= day_cost then return {5, to_midnight, rem_req, rem_tok, ''} end
end
if rpm > 0 then
  redis.call('SET', KEYS[1], string.format('%d', math.ceil(new_tat)), 'PX',
             string.format('%d', math.ceil((new_tat - now) / 1000) + 1))
end
if tpm > 0 then
  level = level - wanted
  rem_tok = math.max(0, math.floor(level))
  redis.call('HSET', KEYS[2], 'level', level, 'ts', string.format('%d', now))
  redis.call('PEXPIRE', KEYS[2], 120000)
end
if conc > 0 then
  redis.call('ZADD', KEYS[3], string.format('%d', math.floor(now / 1000) + ttl), ARGV[7])
  redis.call('PEXPIRE', KEYS[3], ttl * 2)
end
if day_tokens > 0 or day_cost > 0 then
  redis.call('HSET', KEYS[4], 'day', day, 'tokens', string.format('%d', spent_tok + est),
             'cost', spent_cost)
  redis.call('PEXPIRE', KEYS[4], 172800000)
end
if conc > 0 then return {0, 0, rem_req, rem_tok, ARGV[7]} end
return {0, 0, rem_req, rem_tok, ''}
)lua";

// KEYS tpm conc day; ARGV tpm estimate used cost lease counts_day(0|1).
// Frees the lease and replaces the estimate with what was used.
inline constexpr const char* kSettleScript = R"lua(
if ARGV[5] ~= '' then redis.call('ZREM', KEYS[2], ARGV[5]) end
local tpm, est, used = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if tpm > 0 then
  local level = tonumber(redis.call('HGET', KEYS[1], 'level'))
  if level then
    level = math.max(-tpm, level - (used - math.min(est, tpm)))
    redis.call('HSET', KEYS[1], 'level', level)
  end
end
if ARGV[6] == '1' then
  local t = redis.call('TIME')
  local day = math.floor(tonumber(t[1]) / 86400)
  if tonumber(redis.call('HGET', KEYS[3], 'day')) == day then
    redis.call('HINCRBY', KEYS[3], 'tokens', string.format('%d', used - est))
    redis.call('HINCRBYFLOAT', KEYS[3], 'cost', ARGV[4])
  else
    redis.call('HSET', KEYS[3], 'day', day, 'tokens', string.format('%d', used), 'cost', ARGV[4])
    redis.call('PEXPIRE', KEYS[3], 172800000)
  end
end
return 0
)lua";

// KEYS conc; ARGV lease lease_ttl_ms: a running request keeps its slot.
inline constexpr const char* kRenewScript = R"lua(
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', string.format('%d', now_ms + tonumber(ARGV[2])), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 0
)lua";

} // namespace edgeai::platform::native
