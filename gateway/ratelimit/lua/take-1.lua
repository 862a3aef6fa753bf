-- One rate-limit decision for one bucket (route rate limits, usage-plan throttles without a quota).
-- KEYS[1] bucket key (holds the TAT)
-- ARGV[1] emission interval in microseconds (1e6 / requests per second)
-- ARGV[2] burst: how many requests a full bucket admits at once (>= 1)
-- ARGV[3] cost: cells this decision takes (1 per request)
-- Returns {allowed 1|0, retryAfterUs, remaining}
local now = server_now_us()
local interval = tonumber(ARGV[1])
local allowed, new_tat, retry_us, remaining = gcra_check(KEYS[1], interval, tonumber(ARGV[2]), tonumber(ARGV[3]), now)
if allowed == 1 then gcra_commit(KEYS[1], new_tat, now) end
return {allowed, retry_us, remaining}
