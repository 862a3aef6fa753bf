-- Read a queue's attributes and depth, after bounded housekeeping (retention, due delays, expired visibility).
-- KEYS: the 19 queue keys. ARGV[1] clock offset ms.
-- Returns { now, stored messages, in flight, delayed, outbox size, meta field, value, ... }.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local now = now_ms()
if redis.call('EXISTS', K_META) == 0 then
  return queue_error('QueueDoesNotExist')
end
local s = queue_settings()
sweep(now, s.fifo, s.retention_ms)
local result = { now, redis.call('ZCARD', K_BYAGE), redis.call('ZCARD', K_INFLIGHT), redis.call('ZCARD', K_DELAYED),
  redis.call('HLEN', K_OUT) }
for _, v in ipairs(redis.call('HGETALL', K_META)) do
  result[#result + 1] = v
end
return result
