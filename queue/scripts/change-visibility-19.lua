-- Change the visibility timeout of in-flight messages; the new timeout counts from now.
-- KEYS: the 19 queue keys. ARGV[1] clock offset ms, ARGV[2] n, then per entry: message id, receipt token,
-- visibility timeout seconds.
-- Returns the entries' statuses joined by ' ', each 'OK', 'ReceiptHandleIsInvalid' (no such message),
-- 'MessageNotInflight' or 'VisibilityTooLong' (the total would pass 12 hours after the receive). A stale or
-- expired receipt is 'OK' and changes nothing, as SQS does.
-- Publishes the number of messages it made visible (a FIFO group's next message, a visibility set to 0) on the
-- wake channel.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local MAX_TOTAL_MS = 12 * 3600 * 1000
local now = now_ms()
if redis.call('EXISTS', K_META) == 0 then
  return queue_error('QueueDoesNotExist')
end
local fifo = redis.call('HGET', K_META, 'FifoQueue') == 'true'
local result = {}
local n = tonumber(ARGV[2])
for e = 0, n - 1 do
  local id, token, seconds = ARGV[3 + e * 3], ARGV[4 + e * 3], tonumber(ARGV[5 + e * 3])
  local current = redis.call('HGET', K_TOK, id)
  local deadline = redis.call('ZSCORE', K_INFLIGHT, id)
  local status = 'OK'
  if not current then
    if redis.call('HEXISTS', K_MSGS, id) == 1 then
      status = 'MessageNotInflight'
    else
      status = 'ReceiptHandleIsInvalid'
    end
  elseif current == token and deadline and tonumber(deadline) > now then
    local received_at = tonumber(string.match(token, ':(%d+):'))
    if now + seconds * 1000 > received_at + MAX_TOTAL_MS then
      status = 'VisibilityTooLong'
    elseif seconds == 0 then
      return_from_flight(id, fifo)
    else
      redis.call('ZADD', K_INFLIGHT, now + seconds * 1000, id)
    end
  end
  result[#result + 1] = status
end
publish_made_visible()
return table.concat(result, ' ')
