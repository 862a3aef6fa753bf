-- Delete messages by receipt.
-- KEYS: the 19 queue keys. ARGV[1] clock offset ms, ARGV[2] n, then per entry: message id, receipt token.
-- Returns per entry 'OK' or 'ReceiptHandleIsInvalid'.
-- A stale receipt (the message was received again since) never deletes: standard queues answer OK as SQS does
-- ("succeeds but might not delete"), FIFO queues answer ReceiptHandleIsInvalid, as they do for an expired one.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local now = now_ms()
if redis.call('EXISTS', K_META) == 0 then
  return queue_error('QueueDoesNotExist')
end
local fifo = redis.call('HGET', K_META, 'FifoQueue') == 'true'
local result = {}
local removed = {}
local n = tonumber(ARGV[2])
for e = 0, n - 1 do
  local id, token = ARGV[3 + e * 2], ARGV[4 + e * 2]
  local current = redis.call('HGET', K_TOK, id)
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
remove_standard_messages(removed)
return result
