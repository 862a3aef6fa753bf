-- Send up to 10 messages.
-- KEYS: the 19 queue keys.
-- ARGV[1] clock offset ms, ARGV[2] number of messages n, then 7 values per message:
--   id, blob, size in bytes (body + attributes), delay seconds (-1 = queue default), group id, explicit
--   deduplication id ('' = none), SHA-256 of the body (used when ContentBasedDeduplication is on).
-- Returns { { status, message id, sequence } per message, number of messages made visible }; status is 'OK' or
-- an error code for that entry (MessageTooLong, MissingDeduplicationId). A FIFO duplicate within 5 minutes
-- returns 'OK' with the original id and sequence. Publishes "<visible> <first message id>" on the wake
-- channel; the id lets the sending engine skip the publish after waking its own receivers directly.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local DEDUP_WINDOW_MS = 5 * 60 * 1000
local now = now_ms()
local s = queue_settings()
if not s.exists then
  return queue_error('QueueDoesNotExist')
end
if s.fifo then
  local old = redis.call('ZRANGEBYSCORE', K_DEDUPX, '-inf', now, 'LIMIT', 0, 100)
  for _, key in ipairs(old) do
    redis.call('HDEL', K_DEDUP, key)
    redis.call('ZREM', K_DEDUPX, key)
  end
end
local result = {}
local visible = 0
local msgs, seqs, byage, ready = {}, {}, {}, {}
local n = tonumber(ARGV[2])
-- Standard queues: reserve the sequence numbers of the messages that fit in one HINCRBY.
local next_seq = 0
if not s.fifo then
  local fitting = 0
  for m = 0, n - 1 do
    if tonumber(ARGV[5 + m * 7]) <= s.max_size then
      fitting = fitting + 1
    end
  end
  if fitting > 0 then
    next_seq = redis.call('HINCRBY', K_META, 'seq', fitting) - fitting
  end
end
for m = 0, n - 1 do
  local a = 3 + m * 7
  local id, blob, size, delay, group, dedup_id, content_hash =
    ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), ARGV[a + 4], ARGV[a + 5], ARGV[a + 6]
  local delay_ms = s.delay_ms
  if delay >= 0 then
    delay_ms = delay * 1000
  end
  if size > s.max_size then
    result[#result + 1] = { 'MessageTooLong', '', '' }
  elseif s.fifo then
    if dedup_id == '' and s.content_dedup then
      dedup_id = content_hash
    end
    if dedup_id == '' then
      result[#result + 1] = { 'MissingDeduplicationId', '', '' }
    else
      local key = dedup_id
      if s.group_scope then
        key = group .. '\n' .. dedup_id
      end
      local seen = redis.call('HGET', K_DEDUP, key)
      if seen then
        local sp = string.find(seen, ' ', 1, true)
        result[#result + 1] = { 'OK', string.sub(seen, 1, sp - 1), string.sub(seen, sp + 1) }
      else
        local seq = insert_message(id, blob, now, group, delay_ms, now, true)
        redis.call('HSET', K_DEDUP, key, id .. ' ' .. seq)
        redis.call('ZADD', K_DEDUPX, now + DEDUP_WINDOW_MS, key)
        result[#result + 1] = { 'OK', id, tostring(seq) }
        if delay_ms == 0 then
          visible = visible + 1
        end
      end
    end
  else
    -- Standard queues: collect, then one variadic command per structure (fewer redis.call per message).
    next_seq = next_seq + 1
    local seq = next_seq
    msgs[#msgs + 1] = id
    msgs[#msgs + 1] = blob
    seqs[#seqs + 1] = id
    seqs[#seqs + 1] = seq
    byage[#byage + 1] = now
    byage[#byage + 1] = id
    if delay_ms > 0 then
      redis.call('ZADD', K_DELAYED, now + delay_ms, id)
    else
      ready[#ready + 1] = seq
      ready[#ready + 1] = id
      visible = visible + 1
    end
    result[#result + 1] = { 'OK', id, tostring(seq) }
  end
end
if #msgs > 0 then
  redis.call('HSET', K_MSGS, unpack(msgs))
  redis.call('HSET', K_SEQ, unpack(seqs))
  redis.call('ZADD', K_BYAGE, unpack(byage))
end
if #ready > 0 then
  redis.call('ZADD', K_READY, unpack(ready))
end
-- The payload is the number of messages made visible: receivers wake only as many waiters as that needs.
if visible > 0 then
  redis.call('PUBLISH', WAKE_CHANNEL, visible .. ' ' .. ARGV[3])
end
return { result, visible }
