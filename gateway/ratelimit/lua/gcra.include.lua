-- Shared GCRA (generic cell rate algorithm) step, included at the top of the scripts that throttle.
-- A bucket is one key holding its TAT (theoretical arrival time) in microseconds of the Redis server clock.
-- A request of `cost` cells is admitted when tat + cost*interval - now <= burst*interval, so a fresh bucket
-- admits exactly `burst` requests at once and then one every `interval`.
-- Returns: allowed (1|0), newTat (when allowed), retryAfterUs (when denied), remaining cells after the decision.
local function gcra_check(tat_key, interval, burst, cost, now)
  local tat = tonumber(redis.call('GET', tat_key) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval * cost
  local allow_at = new_tat - interval * burst
  if allow_at > now then
    local remaining = math.floor((now + interval * burst - tat) / interval)
    if remaining < 0 then remaining = 0 end
    return 0, tat, math.ceil(allow_at - now), remaining
  end
  return 1, new_tat, 0, math.floor((now + interval * burst - new_tat) / interval)
end

-- Stores the new TAT; it expires when the bucket would be full again, so idle buckets cost no memory.
local function gcra_commit(tat_key, new_tat, now)
  local ttl_ms = math.ceil((new_tat - now) / 1000) + 1
  redis.call('SET', tat_key, string.format('%d', new_tat), 'PX', ttl_ms)
end

local function server_now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
