-- One rate-limit decision for one bucket (route rate limits, usage-plan throttles without a quota), and the
-- settlement of the caller's previous lease on it (lease.include.lua).
-- KEYS[1] bucket key (holds the TAT)
-- KEYS[2] the bucket's lease hash
-- ARGV[1] emission interval in microseconds (1e6 / requests per second)
-- ARGV[2] burst: how many requests a full bucket admits at once (>= 1)
-- ARGV[3] cost: 1 to decide one request now, 0 to only settle a lease
-- ARGV[4] holder: the caller's lease field ('' = the caller holds no lease and wants none)
-- ARGV[5] debit: requests the holder admitted locally under its previous lease (committed now, then released)
-- ARGV[6] share divisor: a new lease reserves floor(headroom / divisor) requests; 0 = no new lease
-- ARGV[7] largest lease
-- ARGV[8] lease lifetime in milliseconds
-- Returns {allowed 1|0, retryAfterUs, remaining, leased}. retryAfterUs is 0 when only other replicas'
-- reservations refused the request (they may come back unused), so the caller does not cache that refusal.
local now = server_now_us()
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local holder = ARGV[4]
local debit = tonumber(ARGV[5])
local divisor = tonumber(ARGV[6])

lease_release(KEYS[2], holder)
local reserved = lease_reserved(KEYS[2], now)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
tat = tat + debit * interval

local allowed, retry_us = 1, 0
if cost > 0 then
  if tat + (reserved + cost) * interval - interval * burst > now then
    allowed = 0
    local committed_allow_at = tat + cost * interval - interval * burst
    if committed_allow_at > now then retry_us = math.ceil(committed_allow_at - now) end
  else
    tat = tat + cost * interval
  end
end
if debit > 0 or (allowed == 1 and cost > 0) then gcra_commit(KEYS[1], tat, now) end

local headroom = math.floor((now + interval * burst - tat) / interval) - reserved
local leased = 0
if divisor > 0 and allowed == 1 and headroom > 0 then
  leased = math.min(tonumber(ARGV[7]), math.floor(headroom / divisor))
  if leased > 0 then lease_grant(KEYS[2], holder, leased, now, tonumber(ARGV[8])) end
end
if headroom - leased < 0 then return {allowed, retry_us, 0, leased} end
return {allowed, retry_us, headroom - leased, leased}
