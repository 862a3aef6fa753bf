-- One usage-plan decision for one API key: throttle (GCRA) and quota (a counter per period) together, so a
-- request refused by one of them consumes nothing from the other; and the settlement of the caller's previous
-- lease on both (lease.include.lua: one lease reserves the same count on the throttle and on the quota).
-- KEYS[1] throttle bucket key (TAT); ignored when ARGV[1] is 0
-- KEYS[2] quota counter key of the current period; ignored when ARGV[3] is -1
-- KEYS[3] marker that this key's first quota period has begun (the offset only applies to that period)
-- KEYS[4] the throttle bucket's lease hash
-- KEYS[5] the quota counter's lease hash
-- ARGV[1] throttle emission interval in microseconds, 0 = no throttle
-- ARGV[2] throttle burst
-- ARGV[3] quota limit per period, -1 = no quota
-- ARGV[4] quota offset: requests counted as used in the first period
-- ARGV[5] milliseconds until the current quota period ends (the counter's expiry)
-- ARGV[6] cost: 1 to decide one request now, 0 to only settle a lease
-- ARGV[7] holder: the caller's lease field ('' = none wanted)
-- ARGV[8] debit: requests the holder admitted locally under its previous lease
-- ARGV[9] share divisor for a new lease (0 = no new lease)
-- ARGV[10] largest lease
-- ARGV[11] lease lifetime in milliseconds
-- Returns {code, retryAfterUs, remaining, leased}: code 1 admitted, 0 throttled, -1 quota exhausted; remaining
-- is the quota left (or -1 when there is no quota); retryAfterUs is 0 when only reservations refused.
local now = server_now_us()
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local period_ms = tonumber(ARGV[5])
local cost = tonumber(ARGV[6])
local holder = ARGV[7]
local debit = tonumber(ARGV[8])
local divisor = tonumber(ARGV[9])

local tat, t_reserved = 0, 0
if interval > 0 then
  lease_release(KEYS[4], holder)
  t_reserved = lease_reserved(KEYS[4], now)
  tat = tonumber(redis.call('GET', KEYS[1]) or now)
  if tat < now then tat = now end
  tat = tat + debit * interval
end

local used, q_reserved, write_used = 0, 0, debit > 0
if limit >= 0 then
  lease_release(KEYS[5], holder)
  q_reserved = lease_reserved(KEYS[5], now)
  used = tonumber(redis.call('GET', KEYS[2]) or -1)
  if used < 0 then
    used = 0
    write_used = true
    if redis.call('SET', KEYS[3], '1', 'NX') then used = tonumber(ARGV[4]) end
  end
  used = used + debit
end

local code, retry_us = 1, 0
if cost > 0 then
  if interval > 0 and tat + (t_reserved + 1) * interval - interval * burst > now then
    code = 0
    local committed_allow_at = tat + interval - interval * burst
    if committed_allow_at > now then retry_us = math.ceil(committed_allow_at - now) end
  elseif limit >= 0 and used + q_reserved >= limit then
    code = -1
    if used >= limit then retry_us = period_ms * 1000 end
  else
    tat = tat + interval
    used = used + 1
    write_used = true
  end
end
if interval > 0 and (debit > 0 or (code == 1 and cost > 0)) then gcra_commit(KEYS[1], tat, now) end
if limit >= 0 and write_used then redis.call('SET', KEYS[2], used, 'PX', period_ms + 60000) end

local leased = 0
if divisor > 0 and code == 1 then
  leased = tonumber(ARGV[10])
  if interval > 0 then
    local headroom = math.floor((now + interval * burst - tat) / interval) - t_reserved
    leased = math.min(leased, math.floor(headroom / divisor))
  end
  if limit >= 0 then leased = math.min(leased, math.floor((limit - used - q_reserved) / divisor)) end
  if leased > 0 then
    if interval > 0 then lease_grant(KEYS[4], holder, leased, now, tonumber(ARGV[11])) end
    if limit >= 0 then lease_grant(KEYS[5], holder, leased, now, tonumber(ARGV[11])) end
  else
    leased = 0
  end
end
local remaining = -1
if limit >= 0 then remaining = math.max(0, limit - used - q_reserved - leased) end
return {code, retry_us, remaining, leased}
