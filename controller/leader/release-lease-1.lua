-- Gives a lease up, only if this holder owns it (never deletes a successor's lease).
-- KEYS[1]  the lease key
-- ARGV[1]  holder identity
-- Returns 1 when released, 0 when it was not ours.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
