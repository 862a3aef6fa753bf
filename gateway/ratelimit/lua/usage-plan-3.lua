-- One usage-plan decision for one API key: throttle (GCRA) and quota (a counter per period) together, so a
-- request refused by one of them consumes nothing from the other.
-- KEYS[1] throttle bucket key (TAT); ignored when ARGV[1] is 0
-- KEYS[2] quota counter key of the current period; ignored when ARGV[3] is -1
-- KEYS[3] marker that this key's first quota period has begun (the offset only applies to that period)
-- ARGV[1] throttle emission interval in microseconds, 0 = no throttle
-- ARGV[2] throttle burst
-- ARGV[3] quota limit per period, -1 = no quota
-- ARGV[4] quota offset: requests counted as used in the first period
-- ARGV[5] milliseconds until the current quota period ends (the counter's expiry)
-- Returns {code, retryAfterUs, remaining}: code 1 admitted, 0 throttled, -1 quota exhausted;
-- remaining is the quota left (or -1 when there is no quota)
local now = server_now_us()
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])

local new_tat = nil
if interval > 0 then
  local allowed, tat, retry_us = gcra_check(KEYS[1], interval, tonumber(ARGV[2]), 1, now)
  if allowed == 0 then return {0, retry_us, -1} end
  new_tat = tat
end

local remaining = -1
if limit >= 0 then
  local used = tonumber(redis.call('GET', KEYS[2]) or -1)
  local period_ms = tonumber(ARGV[5])
  if used < 0 then
    used = 0
    if redis.call('SET', KEYS[3], '1', 'NX') then used = tonumber(ARGV[4]) end
  end
  if used >= limit then
    return {-1, period_ms * 1000, 0}
  end
  redis.call('SET', KEYS[2], used + 1, 'PX', period_ms + 60000)
  remaining = limit - used - 1
end

if new_tat then gcra_commit(KEYS[1], new_tat, now) end
return {1, 0, remaining}
