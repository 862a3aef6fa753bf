-- Create a queue, or confirm an identical one exists.
-- KEYS: the 19 queue keys (include/keys.lua). ARGV[1] clock offset ms; ARGV[2..] attribute name, value pairs
-- (every settable attribute, defaults filled in by TypeScript).
-- Returns 1 when created, 0 when an identical queue already exists.
-- Errors: QueueDeletedRecently, QueueNameExists (same name, different attributes).
--@include keys
local now = now_ms()
if redis.call('EXISTS', K_TOMB) == 1 then
  return queue_error('QueueDeletedRecently')
end
if redis.call('EXISTS', K_META) == 1 then
  for i = 2, #ARGV, 2 do
    if redis.call('HGET', K_META, ARGV[i]) ~= ARGV[i + 1] then
      return queue_error('QueueNameExists')
    end
  end
  return 0
end
for i = 2, #ARGV, 2 do
  redis.call('HSET', K_META, ARGV[i], ARGV[i + 1])
end
redis.call('HSET', K_META, 'CreatedTimestamp', math.floor(now / 1000), 'LastModifiedTimestamp', math.floor(now / 1000),
  'seq', 0, 'moveseq', 0)
return 1
