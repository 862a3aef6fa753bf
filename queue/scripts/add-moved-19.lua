-- Add a message that left another queue (dead-letter redrive or a move task) to this queue, exactly once.
-- KEYS: the 19 queue keys of the destination.
-- ARGV[1] clock offset ms, ARGV[2] move id, ARGV[3] message id, ARGV[4] blob, ARGV[5] sent ms (kept, so
-- retention counts from the first send), ARGV[6] group id.
-- Returns 1 added, 0 already added (or the id is present), 2 dropped because its retention has passed.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local MOVED_MEMORY_MS = 24 * 3600 * 1000
local now = now_ms()
if redis.call('EXISTS', K_META) == 0 then
  return queue_error('QueueDoesNotExist')
end
local move_id, id, blob, sent, group = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
if redis.call('ZSCORE', K_MOVED, move_id) or redis.call('HEXISTS', K_MSGS, id) == 1 then
  return 0
end
local old = redis.call('ZRANGEBYSCORE', K_MOVED, '-inf', now - MOVED_MEMORY_MS, 'LIMIT', 0, 100)
if #old > 0 then
  redis.call('ZREM', K_MOVED, unpack(old))
end
redis.call('ZADD', K_MOVED, now, move_id)
local s = queue_settings()
if sent < now - s.retention_ms then
  return 2
end
insert_message(id, blob, sent, group, 0, now, s.fifo)
redis.call('PUBLISH', WAKE_CHANNEL, '1')
return 1
