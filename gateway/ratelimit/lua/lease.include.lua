-- Reservations ("leases") that gateway replicas hold on one limited resource (a GCRA bucket or a quota counter),
-- so they can admit requests locally and debit them later in one batch. One hash per resource:
-- field = the holder (one local lease of one replica), value = "<reserved requests>:<expires at, server us>".
-- A decision treats every live reservation as already spent, so what replicas admit locally plus what Redis
-- admits never exceeds the limit. An expired entry (a replica that died) is dropped by the next decision.

-- Sum of the live reservations in hash_key; deletes the expired ones on the way.
local function lease_reserved(hash_key, now)
  local total = 0
  local entries = redis.call('HGETALL', hash_key)
  for i = 1, #entries, 2 do
    local count, expires = string.match(entries[i + 1], '^(%d+):(%d+)$')
    if count == nil or tonumber(expires) <= now then
      redis.call('HDEL', hash_key, entries[i])
    else
      total = total + tonumber(count)
    end
  end
  return total
end

local function lease_release(hash_key, holder)
  if holder ~= '' then redis.call('HDEL', hash_key, holder) end
end

local function lease_grant(hash_key, holder, count, now, ttl_ms)
  redis.call('HSET', hash_key, holder, string.format('%d:%d', count, now + ttl_ms * 1000))
  redis.call('PEXPIRE', hash_key, ttl_ms + 1000)
end
