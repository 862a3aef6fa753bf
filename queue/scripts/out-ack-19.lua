-- Forget outbox entries whose messages have reached their destination.
-- KEYS: the 19 queue keys of the source. ARGV[1] clock offset ms, ARGV[2..] move ids.
-- Returns the number of entries removed.
--@include keys
local removed = 0
for i = 2, #ARGV do
  removed = removed + redis.call('HDEL', K_OUT, ARGV[i])
end
return removed
