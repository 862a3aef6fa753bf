-- Send up to 10 messages.
-- KEYS: the 19 queue keys.
-- ARGV[1] clock offset ms, ARGV[2] number of messages n, ARGV[3] the messages' fields joined by "\1" (one
--   argument rather than one per field: each argument costs the client more than its bytes; no value holds a
--   "\1"), per message: id, size in bytes (body + attributes), delay seconds (-1 = queue default), and on FIFO
--   queues also group id, explicit deduplication id ('' = none), SHA-256 of the body (used when
--   ContentBasedDeduplication is on); ARGV[4] .. ARGV[3 + n] the blobs (separate: splitting them out of one
--   argument would cost the script a copy of each).
-- ARGV[4 + n] number of hand-offs k (standard queues) and 3 values each: max messages, visibility timeout
-- seconds (-1 = queue default), nonce: receivers waiting in the sending engine, who get the new visible
-- messages received for them here (as receive-19.lua would, right after the send) instead of a wake.
-- Returns { results, number of messages made visible and not handed off, { { visibility ms, receipt token,
-- position... } per hand-off }, now ms }. results: FIFO queues { status, message id, sequence } per message (a duplicate within 5
-- minutes is 'OK' with the original id and sequence); standard queues one string of the n statuses joined by
-- ' ' (ids are the caller's, sequences are not part of SQS's answer). A status is 'OK' or an error code for that
-- entry (MessageTooLong, MissingDeduplicationId). A hand-off lists the positions (1-based, as sent) of the
-- messages it received: the caller has their ids and blobs, and each one's receive count is 1, its sent and
-- first receive time now, its receipt token the hand-off's ("<nonce>:<now>:1"). Keeping the reply this small matters: every
-- value in it costs Redis and the client time. Publishes "<visible> <first message id>" on the wake channel;
-- the id lets the sending engine skip the publish after waking its own receivers directly.
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
-- Standard messages are collected with explicit indexes (the # operator costs a search per use), and the time
-- goes to Redis as one preformatted string rather than as a number each command argument formats again.
local now_s = string.format('%.17g', now)
local ms, rs = 0, 0
local n = tonumber(ARGV[2])
local F = split_fields(ARGV[3])
local W = s.fifo and 6 or 3
-- Standard queues: reserve the sequence numbers of the messages that fit in one HINCRBY.
local next_seq = 0
if not s.fifo then
  local fitting = 0
  for m = 0, n - 1 do
    if tonumber(F[2 + m * W]) <= s.max_size then
      fitting = fitting + 1
    end
  end
  if fitting > 0 then
    next_seq = redis.call('HINCRBY', K_META, 'seq', fitting) - fitting
  end
end
for m = 0, n - 1 do
  local a = 1 + m * W
  local id, blob, size, delay, group, dedup_id, content_hash =
    F[a], ARGV[4 + m], tonumber(F[a + 1]), tonumber(F[a + 2]), F[a + 3], F[a + 4], F[a + 5]
  local delay_ms = s.delay_ms
  if delay >= 0 then
    delay_ms = delay * 1000
  end
  if size > s.max_size then
    if s.fifo then
      result[m + 1] = { 'MessageTooLong', '', '' }
    else
      result[m + 1] = 'MessageTooLong'
    end
  elseif s.fifo then
    if dedup_id == '' and s.content_dedup then
      dedup_id = content_hash
    end
    if dedup_id == '' then
      result[m + 1] = { 'MissingDeduplicationId', '', '' }
    else
      local key = dedup_id
      if s.group_scope then
        key = group .. '\n' .. dedup_id
      end
      local seen = redis.call('HGET', K_DEDUP, key)
      if seen then
        local sp = string.find(seen, ' ', 1, true)
        result[m + 1] = { 'OK', string.sub(seen, 1, sp - 1), string.sub(seen, sp + 1) }
      else
        local seq = insert_message(id, blob, now, group, delay_ms, now, true)
        redis.call('HSET', K_DEDUP, key, id .. ' ' .. seq)
        redis.call('ZADD', K_DEDUPX, now + DEDUP_WINDOW_MS, key)
        result[m + 1] = { 'OK', id, tostring(seq) }
        if delay_ms == 0 then
          visible = visible + 1
        end
      end
    end
  else
    -- Standard queues: collect, then one variadic command per structure (fewer redis.call per message).
    next_seq = next_seq + 1
    msgs[ms + 1] = id
    msgs[ms + 2] = blob
    seqs[ms + 1] = id
    seqs[ms + 2] = next_seq
    byage[ms + 1] = now_s
    byage[ms + 2] = id
    ms = ms + 2
    if delay_ms > 0 then
      redis.call('ZADD', K_DELAYED, now + delay_ms, id)
    else
      -- seq, id, position in the batch (the position is dropped before ZADD)
      ready[rs + 1] = next_seq
      ready[rs + 2] = id
      ready[rs + 3] = m + 1
      rs = rs + 3
      visible = visible + 1
    end
    result[m + 1] = 'OK'
  end
end
if ms > 0 then
  redis.call('HSET', K_MSGS, unpack(msgs))
  redis.call('HSET', K_SEQ, unpack(seqs))
  redis.call('ZADD', K_BYAGE, unpack(byage))
end
-- Hand-offs take the new visible messages in order (receive count 1, so never a dead letter); the rest is ready.
local handed = {}
local k = tonumber(ARGV[4 + n]) or 0
local r = 1
if k > 0 then
  -- Receive count 1, first receive now: both are in the token (see next_receipt), so only the token is stored.
  local tok_args, inflight = {}, {}
  local f = 0
  for h = 0, k - 1 do
    local a = 5 + n + h * 3
    local max, visibility = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    local token = ARGV[a + 2] .. ':' .. now .. ':1'
    local visibility_ms = s.visibility_ms
    if visibility >= 0 then
      visibility_ms = visibility * 1000
    end
    local deadline = string.format('%.17g', now + visibility_ms)
    local taken = { visibility_ms, token }
    local t = 2
    while max > 0 and r < rs do
      local id = ready[r + 1]
      tok_args[f + 1] = id
      tok_args[f + 2] = token
      inflight[f + 1] = deadline
      inflight[f + 2] = id
      f = f + 2
      t = t + 1
      taken[t] = ready[r + 2]
      r = r + 3
      max = max - 1
      visible = visible - 1
    end
    handed[h + 1] = taken
  end
  if f > 0 then
    redis.call('HSET', K_TOK, unpack(tok_args))
    redis.call('ZADD', K_INFLIGHT, unpack(inflight))
  end
end
if r < rs then
  local rest, e = {}, 0
  for i = r, rs, 3 do
    rest[e + 1] = ready[i]
    rest[e + 2] = ready[i + 1]
    e = e + 2
  end
  redis.call('ZADD', K_READY, unpack(rest))
end
-- The payload is the number of messages made visible: receivers wake only as many waiters as that needs.
if visible > 0 then
  redis.call('PUBLISH', WAKE_CHANNEL, visible .. ' ' .. F[1])
end
if not s.fifo then
  result = table.concat(result, ' ')
end
return { result, visible, handed, now }
