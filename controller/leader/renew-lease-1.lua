-- Extends a lease this holder owns; fails when another holder took it (or it expired and is gone).
-- KEYS[1]  the lease key
-- ARGV[1]  holder identity
-- ARGV[2]  lease duration in ms
-- Returns 1 when renewed, 0 when the lease is not ours.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
