-- Delete messages by receipt.
-- KEYS: the 19 queue keys. ARGV[1] clock offset ms, ARGV[2] n, then per entry: message id, receipt token.
-- Returns the entries' statuses joined by ' ' (one reply value, not n), each 'OK' or 'ReceiptHandleIsInvalid'.
-- A stale receipt (the message was received again since) never deletes: standard queues answer OK as SQS does
-- ("succeeds but might not delete"), FIFO queues answer ReceiptHandleIsInvalid, as they do for an expired one.
-- Publishes the number of messages it made visible (a FIFO group's next message, a visibility set to 0) on the
-- wake channel.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local now = now_ms()
local meta = redis.call('HMGET', K_META, 'seq', 'FifoQueue')
if not meta[1] then
  return queue_error('QueueDoesNotExist')
end
local fifo = meta[2] == 'true'
local result = {}
local removed = {}
local n = tonumber(ARGV[2])
local ids = {}
for e = 0, n - 1 do
  ids[e + 1] = ARGV[3 + e * 2]
end
-- Standard queues read every token at once (removal waits until the end); FIFO removes as it goes, so a
-- handle repeated in one batch must see the earlier entry's removal.
local tokens = not fifo and redis.call('HMGET', K_TOK, unpack(ids))
for e = 0, n - 1 do
  local id, token = ids[e + 1], ARGV[4 + e * 2]
  local current
  if tokens then
    current = tokens[e + 1]
  else
    current = redis.call('HGET', K_TOK, id)
  end
  local status = 'OK'
  if current == token then
    local deadline = fifo and redis.call('ZSCORE', K_INFLIGHT, id)
    if fifo and (not deadline or tonumber(deadline) <= now) then
      status = 'ReceiptHandleIsInvalid'
    elseif fifo then
      remove_message(id, fifo)
    else
      removed[#removed + 1] = id
    end
  elseif current and fifo then
    status = 'ReceiptHandleIsInvalid'
  end
  result[#result + 1] = status
end
remove_received_standard_messages(removed)
publish_made_visible()
return table.concat(result, ' ')
