-- Take up to N visible messages of a dead-letter queue into its outbox for a move task (standard queues only).
-- KEYS: the 19 queue keys of the dead-letter queue.
-- ARGV[1] clock offset ms, ARGV[2] N, ARGV[3] destination queue name ('' = each message's source queue).
-- Returns { visible messages left, { move id, entry JSON }... }.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local now = now_ms()
if redis.call('EXISTS', K_META) == 0 then
  return queue_error('QueueDoesNotExist')
end
local s = queue_settings()
sweep(now, s.fifo, s.retention_ms)
local entries = {}
local ids = redis.call('ZPOPMIN', K_READY, tonumber(ARGV[2]))
for i = 1, #ids, 2 do
  entries[#entries + 1] = to_outbox(ids[i], 'move', ARGV[3], false)
end
return { redis.call('ZCARD', K_READY), entries }
