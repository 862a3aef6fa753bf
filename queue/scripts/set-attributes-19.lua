-- Set queue attributes (validated by TypeScript).
-- KEYS: the 19 queue keys. ARGV[1] clock offset ms; ARGV[2..] name, value pairs; a value of "\0" deletes the field.
-- Errors: QueueDoesNotExist.
--@include keys
local now = now_ms()
if redis.call('EXISTS', K_META) == 0 then
  return queue_error('QueueDoesNotExist')
end
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '\0' then
    redis.call('HDEL', K_META, ARGV[i])
  else
    redis.call('HSET', K_META, ARGV[i], ARGV[i + 1])
  end
end
redis.call('HSET', K_META, 'LastModifiedTimestamp', math.floor(now / 1000))
return 1
