-- Delete every message of a queue (UNLINK: the memory is freed off the main thread).
-- KEYS: the 19 queue keys. ARGV[1] clock offset ms, ARGV[2] 1 to delete the queue itself, ARGV[3] tombstone
-- ms (how long the name stays unusable after a delete; 0 = none).
-- Errors: QueueDoesNotExist, PurgeQueueInProgress (a purge in the last 60 s).
--@include keys
local PURGE_INTERVAL_MS = 60 * 1000
local now = now_ms()
if redis.call('EXISTS', K_META) == 0 then
  return queue_error('QueueDoesNotExist')
end
local delete_queue = ARGV[2] == '1'
local purged_at = tonumber(redis.call('HGET', K_META, 'purgedAt') or '0')
if not delete_queue and now - purged_at < PURGE_INTERVAL_MS then
  return queue_error('PurgeQueueInProgress')
end
for _, group in ipairs(redis.call('ZRANGE', K_GROUPS, 0, -1)) do
  redis.call('UNLINK', BASE .. 'g:' .. group)
end
for _, group in ipairs(redis.call('HKEYS', K_GINFLIGHT)) do
  redis.call('UNLINK', BASE .. 'g:' .. group)
end
redis.call('UNLINK', K_MSGS, K_RC, K_FR, K_TOK, K_SEQ, K_GRP, K_READY, K_DELAYED, K_INFLIGHT, K_BYAGE, K_GROUPS,
  K_GINFLIGHT)
if delete_queue then
  redis.call('UNLINK', K_META, K_DEDUP, K_DEDUPX, K_TASKS, K_MOVED)
  if tonumber(ARGV[3]) > 0 then
    redis.call('SET', K_TOMB, '1', 'PX', ARGV[3])
  end
else
  redis.call('HSET', K_META, 'purgedAt', now)
end
return 1
